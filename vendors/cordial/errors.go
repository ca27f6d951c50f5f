package cordial

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Error keys Cordial sends that callers may want to compare against
// (*outbound.Error).Code.
const (
	CodeGeneric              = "GENERIC_ERROR_KEY"
	CodeListNotFound         = "ACCOUNT_LISTS_NOT_FOUND"
	CodeRecordNotFound       = "RECORD_NOT_FOUND"
	CodeInvalidJSON          = "INVALID_JSON_PROVIDED"
	CodeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
	CodeValidation           = "VALIDATION_ERROR"
)

// checkResponse is the package's one CheckFunc: nil for 2xx, otherwise an
// *outbound.Error classified by status and refined by Cordial's body.
func checkResponse(resp *http.Response, body []byte) *outbound.Error {
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	e := outbound.StatusError(resp)
	e.Code, e.Message = parseErrorBody(body)
	switch resp.StatusCode {
	case http.StatusUnprocessableEntity:
		// Cordial answers a taken name and a malformed one with the same
		// status and key; only the message tells a clash from bad input.
		if strings.Contains(strings.ToLower(e.Message), "must be unique") {
			e.Kind = outbound.KindConflict
		}
	case http.StatusUnsupportedMediaType:
		// Our request was wrong, not the vendor: the caller cannot fix it,
		// but retrying will not either.
		e.Kind = outbound.KindBadInput
	}
	return e
}

// errorBody is every field Cordial has been seen to use in an error reply.
// error is true in most bodies but a string in the auth failure and in
// some recorded 404/500s; messages is a string or a validationErrors
// object in recorded v1 replies.
type errorBody struct {
	Error    json.RawMessage `json:"error"`
	ErrorKey string          `json:"errorKey"`
	Message  json.RawMessage `json:"message"`
	Messages json.RawMessage `json:"messages"`
}

// parseErrorBody returns the error key and the most specific message it
// can find; both are empty when the body is not a JSON object.
func parseErrorBody(body []byte) (code, message string) {
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		return "", ""
	}
	for _, raw := range []json.RawMessage{eb.Message, eb.Messages, eb.Error} {
		if m := flattenMessage(raw); m != "" {
			message = m
			break
		}
	}
	return strings.TrimSpace(eb.ErrorKey), message
}

// flattenMessage turns a message value into one line: a string as is, a
// validationErrors object as "field: text; field: text". Booleans (the
// usual "error": true) carry no message.
func flattenMessage(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return ""
	}
	var parts []string
	collectMessages(v, "", &parts)
	return strings.Join(parts, "; ")
}

func collectMessages(v any, field string, out *[]string) {
	switch t := v.(type) {
	case string:
		if t = strings.TrimSpace(t); t == "" {
			return
		}
		if field != "" {
			t = field + ": " + t
		}
		*out = append(*out, t)
	case []any:
		for _, e := range t {
			collectMessages(e, field, out)
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			f := k
			if k == "validationErrors" || k == "messages" || k == "message" {
				f = field
			}
			collectMessages(t[k], f, out)
		}
	}
}
