// Package apptivosim is a stateful simulator of the Apptivo customers API
// (https://api.apptivo.com/app/dao/v6/customers), served over real HTTP so
// the production client can be exercised end to end.
//
// Routes: /customers and /app/dao/v6/customers (the real path), each
// accepting GET and POST. Every operation is chosen by a=<method>:
// getConfigData, save, update, getById, delete, getAll,
// getAllByAdvancedSearch and getAllBySearchText. Parameters are read from
// the URL query and, for POST with a form body, from the body as well (a
// parameter given in both is refused as repeated). Other paths get 404,
// other methods 405, both with the FAILURE body.
//
// Strictness (params.go): each method accepts only the parameters the
// document's request URLs and samples and NOTES give it; an unknown or
// misspelled parameter, a repeated one, or a missing required one
// (customerData, isLeadConvert and isDuplicate on save; customerData,
// customerId, attributeName and objectId=3 on update; customerId on
// getById and delete; searchData, searchText) is a FAILURE. customerData
// may hold only the attributes of the documented save and update samples
// (and id), and attributeName may name only those. Every check runs before
// the store is touched, so a refused call changes nothing. Inference: a
// request line over 8 KB is refused with 414 (see maxRequestURI).
//
// State is {"customers":[...]} with each customer in Apptivo's wire names,
// kept exactly as saved (unknown attributes included).
//
// Inferences (the Apptivo documentation is vague on these points):
//
//   - Inference: failures are HTTP 200 with {"status":"FAILURE",
//     "reason":"..."} (Airbyte's error handler). Reasons used here:
//     "Invalid API Key or Access Key" for missing or wrong credentials,
//     "Customer not found" for unknown ids, "Invalid method: x" for an
//     unknown a=, "Invalid customerData: ..." (and the same for searchData,
//     multiSelectData, attributeName) for malformed JSON, "customerName is
//     mandatory" for a save without a name. Only 404/405 and injected faults
//     use other statuses, with the same body shape.
//   - Inference: credentials are accepted only as apiKey and accessKey; the
//     documentation's "accesKey" is a typo.
//   - Inference: save answers {"customer":{...}} (no status field); update
//     the same; getById answers the bare record; delete answers
//     {"status":"SUCCESS"}. Lists answer {"data":[...],"countOfRecords":N};
//     getAll's countOfRecords is an inference too.
//   - Inference: save assigns customerId (increasing integers), id (its
//     string), customerNumber when missing, empty or "Auto generated number"
//     (an increasing integer as a string), creationDate and lastUpdateDate
//     ("2006-01-02 15:04:05", UTC). Any customerId/id sent is ignored.
//     Top-level null attributes are dropped. A missing statusId and
//     statusName default to Active (10000, as in the documented sample).
//   - Inference: update takes the whole record in customerData, as the
//     documented sample sends it (the record as read, with the changes
//     applied): customerData must hold the customerId being updated and
//     every attribute the stored record has, else FAILURE "Invalid
//     customerData: the whole customer record is required...". Of it, only
//     the attributes named in attributeName (a JSON array; the legacy
//     attributeNames is accepted too) are applied. A named attribute null
//     in customerData is cleared. customerId, id, creationDate and
//     lastUpdateDate cannot be changed this way; lastUpdateDate is set by
//     the simulator. emailAddresses is applied only when
//     isEmailAddressUpdate=true and addresses only when
//     isAddressUpdate=true, which is what the documented flags suggest
//     ("if email updated, it should be true"; default false). objectId
//     must be 3 (the client's package doc says why not the template's 4).
//   - Inference: records are listed in customerId order. numRecords
//     defaults to 50 (the documented sample) and is not capped; startIndex
//     defaults to 0. Negative or non-numeric values are a FAILURE.
//   - Inference: advanced search matches customerName and customerNumber as
//     case-insensitive substrings, emailAddresses[].emailAddress as a
//     case-insensitive exact match against any of the customer's emails,
//     phoneNumbers[].phoneNumber by digits (substring), and
//     multiSelectData's statusIds, categoryIds, marketIds, industryIds,
//     paymentTermIds, employeeRangeIds and segmentIds against the matching
//     customer attribute. Other searchData keys (the rest of the documented
//     template) are accepted and ignored; slaIds matches slaId.
//     creationOnStartDate/creationOnEndDate and
//     lastUpdateOnStartDate/lastUpdateOnEndDate bound creationDate and
//     lastUpdateDate inclusively; they are "2006-01-02 15:04:05" or a bare
//     date (an end date then covers its whole day); anything else is a
//     FAILURE. getAllBySearchText matches searchText against name, number,
//     emails and phones.
//   - Inference: sortColumn (any attribute name; _score keeps the default
//     order) and sortDir (asc, desc; anything else is a FAILURE) order
//     getAll, getAllBySearchText and getAllByAdvancedSearch: numbers
//     numerically, text case-insensitively, records without the attribute
//     last, ties by customerId. iDisplayStart, iDisplayLength and
//     territoryType (documented sample) are accepted and ignored.
//   - Inference: references are id and name pairs, as the documented
//     samples send them (statusId/statusName, customerCategoryId/
//     customerCategory, marketId/marketName, industryId/industryName,
//     paymentTermId/paymentTerm, employeeRangeId/employeeRange,
//     segmentId/segmentName, assigneeObjectRefId/assigneeObjectRefName).
//     A non-null id must be an entry of getConfigData (else FAILURE
//     "Invalid <id>") and must come with that entry's name; a missing,
//     stale or mismatched name, or a name without its id, is a FAILURE.
//     The simulator does not re-derive names from ids: Apptivo stores what
//     it is sent, and re-deriving would hide a client that sends a stale
//     name. An update must name both halves of a pair it changes.
//   - Inference: getConfigData answers customerStatusList as
//     [{statusId,statusName}] (what apptivo-php-mt reads) and categories,
//     markets, industries, paymentTerms, employeeRanges and segments as
//     [{id,name}] (by analogy with the leads config's leadSources), and the
//     assignable employees as assignees [{id,name}].
//   - Inference: an injected fault status gets the same FAILURE body with
//     the status text as reason (and the Retry-After header from simkit).
package apptivosim
