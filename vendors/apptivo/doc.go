// Package apptivo is the gateway's client for the Apptivo customers API
// (https://api.apptivo.com/app/dao/v6/customers).
//
// Apptivo is unlike the other vendors: every operation is the same path,
// selected by the query parameter a=<method>, its arguments are JSON
// documents carried inside query parameters (customerData, searchData,
// multiSelectData, attributeName), and the credentials travel in the URL as
// apiKey and accessKey. The client therefore takes extra care that:
//
//   - the keys are added by one http.RoundTripper only (authTransport), on a
//     clone of the request, so the request the caller built, and any
//     *url.Error that names it, never holds them; only requests to the
//     configured host get them, so a redirect elsewhere cannot carry them off;
//   - every JSON argument is encoded with url.Values, so names such as
//     `Tom & "Jerry" #1 +x=y` survive the trip byte for byte;
//   - no error text ever contains a URL or a key: the shared client's Do
//     (outbound.Client) reduces transport errors to their cause and scrubs
//     the key values from anything the vendor echoes back.
//
// Inferences (the Apptivo documentation is vague on these points):
//
//   - Where the parameters travel. Reads (getConfigData, getAll,
//     getAllBySearchText, getAllByAdvancedSearch, getById) use GET with
//     every parameter in the URL query, as documented. Writes (save,
//     update, delete) use POST with a= in the query and every other
//     parameter in an application/x-www-form-urlencoded body. The sources:
//     the document writes its samples as request URLs, but NOTES records
//     that clients "POST it as form data" (Todd-Miner/apptivo-php-mt
//     ObjectCrud.php) and that the keys travel "as query or form params";
//     a servlet reads both alike. A whole customer record is 1.6-2.8 KB of
//     JSON (more with custom attributes, about three times that once
//     percent-escaped), and URL limits are not Apptivo's to publish: the
//     servlet containers and proxies in front of it commonly refuse request
//     lines over 8 KB (Tomcat's and Jetty's default header limits), and
//     RFC 9110 section 4.1 asks only for 8000 octets. A form body has no
//     such limit, so a large record is safe; the simulator refuses request
//     lines over 8 KB with 414 to keep it that way. The keys stay in the
//     query (added by authTransport), so that they are never part of a
//     body a layer might log or replay.
//   - objectId is 3 for customers, on update as on searches. The update
//     template in the document says objectId=4, but the same template also
//     misspells attributeName as attributeNames and accessKey as accesKey,
//     and the document's own update sample sends no objectId at all;
//     against it stand the document's advanced-search sample (objectId=3),
//     NOTES for the simple search, the advanced search and the update page
//     (each objectId=3), and ObjectCrud.php's update. Three independent
//     sources against one template already known to be careless: 3. The
//     simulator refuses any other value on update.
//   - References travel in pairs. The document's save and update samples
//     send each reference as its id and its name ("statusName":"Active",
//     "statusId":10000; customerCategory and customerCategoryId;
//     paymentTerm and paymentTermId; assigneeObjectRefName beside
//     assigneeObjectRefId; marketName, industryName, segmentName,
//     employeeRange beside their ids). Save and update therefore send the
//     name beside every id they send, taken from getConfigData, and an
//     update that changes an id names both halves in attributeName: the
//     record read holds the old name, which would otherwise be sent back
//     beside the new id. An id the configuration does not list is refused
//     (KindBadInput) before the write. Inference: the assignees are listed
//     in getConfigData as assignees (or assigneeList, employees) of
//     {id,name}; a deployment whose configuration lacks them cannot set
//     an assignee through this client rather than send a stale name.
//   - Inference: errors arrive as HTTP 200 with {"status":"FAILURE",
//     "reason":"..."} (Airbyte's error handler). checkResponse looks for that
//     body on every status. A reason mentioning "Key" (or api/access key)
//     means the credentials were refused (KindAuth); "not found" means
//     KindNotFound; "rate limit"/"too many" means KindRateLimited; any other
//     200 FAILURE is KindBadInput. A non-2xx status is classified by
//     outbound.StatusError; the reason refines it only for ambiguous 4xx.
//   - Inference: customer ids are positive integers; a non-numeric id is
//     refused locally (KindBadInput) without a call.
//   - Inference: save and update answer {"customer":{...}} (ObjectCrud.php,
//     createcustomer page); getById may answer a bare record, {"data":...},
//     {"responseObject":...} or {"customer":...}; all four are accepted. A
//     getById reply that holds no record (null, {}, no ids) is KindNotFound.
//   - Inference: list and search replies are {"data":[...],
//     "countOfRecords":N}; "totalNumberOfRecords" is accepted as well. When
//     neither count is present, Page.Total is startIndex plus the records
//     returned (a lower bound).
//   - Inference: MaxPageSize is 100 (Airbyte's page size; Apptivo publishes
//     no maximum). Larger numRecords are split into consecutive calls of at
//     most 100 and merged; paging stops early when a call returns fewer
//     records than asked or the count says the end was reached. One client
//     reports an overall window of about 5,000 results; it is not enforced.
//   - Update follows the documented sample: the client reads the record
//     (getById), applies the changes and sends the whole record as
//     customerData (attributes it does not model included, as read), with
//     attributeName (singular, a JSON array of the changed attribute
//     names, each changed id with its name), customerId, objectId=3,
//     isEmailAddressUpdate and
//     isAddressUpdate (true iff emailAddresses / addresses is named, false
//     otherwise). Inference from the NOTES' flag list: when
//     customAttributes is named it also sends isCustomAttributesUpdate=true
//     and attributeIds, the JSON array of the customAttributeId values
//     sent. The read and the write are two calls; a change made by someone
//     else in between to an attribute not named is sent back as read, which
//     Apptivo ignores because only named attributes are applied.
//   - Save sends isLeadConvert=N and isDuplicate=false beside customerData,
//     as the documented sample does.
//   - Advanced search sends the documented searchData template with
//     customerName, customerNumber, emailAddresses:[{"emailAddress":..}],
//     phoneNumbers:[{"phoneNumber":..}] and the date ranges
//     (creationOnStartDate/EndDate, lastUpdateOnStartDate/EndDate) filled
//     in, multiSelectData with every documented id list, and, as in the
//     sample, iDisplayStart/iDisplayLength (= startIndex/numRecords) and
//     territoryType=MULTIPLE. Inference: date bounds use Apptivo's record
//     form "2006-01-02 15:04:05" (UTC) and are inclusive.
//   - Sorting (NOTES): sortColumn=<attribute> and sortDir=asc|desc on list,
//     free-text and advanced search. Free-text search is
//     a=getAllBySearchText&searchText=..&objectId=3.
//   - Inference: getConfigData's reply holds customerStatusList as
//     [{statusId,statusName}] (apptivo-php-mt reads exactly that) and, by
//     analogy with the leads config's leadSources [{id,name}], lists named
//     categories, markets, industries, paymentTerms, employeeRanges and
//     segments of {id,name}. ConfigItem accepts {id,name} or any
//     {xxxId,xxxName} pair, and a few alternative list names are accepted.
//   - Inference: the documented "accesKey" spelling in some request URLs is
//     a typo; the client sends accessKey, as the sample URL and every public
//     client do.
package apptivo
