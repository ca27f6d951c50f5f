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
//   - Inference: reads (getConfigData, getAll, getAllByAdvancedSearch,
//     getById) use GET; save, update and delete use POST with every
//     parameter in the URL query and an empty body. Apptivo reads its
//     parameters from the query for both methods (the documented request
//     URLs put customerData in the query).
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
//     names), customerId, objectId=3, isEmailAddressUpdate and
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
