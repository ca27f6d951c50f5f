package cordial

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// AccountList is Cordial's ListShow: the spec gives a list exactly these
// three fields.
type AccountList struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enhanced bool   `json:"enhanced"`
}

// ListCount is Cordial's ListShowCount: a list plus how many contacts are
// on it, which only the /count endpoint reports.
type ListCount struct {
	AccountList
	Count int `json:"count"`
}

// ListUpdate names the fields to change; nil keeps the current value.
type ListUpdate struct {
	Name     *string
	Enhanced *bool
}

// MaxListNameLen is Cordial's limit on a list name.
const MaxListNameLen = 128

// ValidListName returns nil when Cordial will accept name for a list, and
// otherwise an error saying why, so the gateway can refuse a bad name
// before spending a vendor call on it.
func ValidListName(name string) error {
	switch {
	case name == "":
		return errors.New("list name is empty")
	case len(name) > MaxListNameLen:
		return fmt.Errorf("list name is longer than %d characters", MaxListNameLen)
	case strings.EqualFold(name, "cid"):
		return errors.New(`"cid" is reserved and cannot be a list name`)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return errors.New("list name may contain only letters, digits, dashes and underscores")
		}
	}
	return nil
}

const listsPath = "v2/accountlists"

func listPath(id int64, sub string) string {
	p := listsPath + "/" + strconv.FormatInt(id, 10)
	if sub != "" {
		p += "/" + sub
	}
	return p
}

// listBody is the POST body. Both fields are always sent: Cordial
// requires name, and sending enhanced explicitly means we never depend on
// an undocumented default.
type listBody struct {
	Name     string `json:"name"`
	Enhanced bool   `json:"enhanced"`
}

// successReply is ListCreationSuccess / SuccessOperation.
type successReply struct {
	Success *bool   `json:"success"`
	ID      flexInt `json:"id"`
}

// wireList decodes ListShow and ListShowCount tolerantly (see flexInt and
// flexBool); it stays private so the exported types keep plain JSON tags.
type wireList struct {
	ID       flexInt  `json:"id"`
	Name     string   `json:"name"`
	Enhanced flexBool `json:"enhanced"`
	Count    flexInt  `json:"count"`
}

func (w wireList) list() AccountList {
	return AccountList{ID: int64(w.ID), Name: w.Name, Enhanced: bool(w.Enhanced)}
}

// CreateList creates a list and returns its new id. A taken name is
// KindConflict, an invalid one KindBadInput.
func (c *Client) CreateList(ctx context.Context, name string, enhanced bool) (int64, error) {
	const op = "create list"
	var reply successReply
	if err := c.call(ctx, op, http.MethodPost, listsPath, nil, listBody{Name: name, Enhanced: enhanced}, &reply); err != nil {
		return 0, err
	}
	if err := reply.check(op); err != nil {
		return 0, err
	}
	if reply.ID <= 0 {
		return 0, upstream(op, "reply has no list id")
	}
	return int64(reply.ID), nil
}

// Lists returns every list, or with a non-empty name only the list with
// exactly that name (none or one). The result is never nil.
func (c *Client) Lists(ctx context.Context, name string) ([]AccountList, error) {
	const op = "list lists"
	var query url.Values
	if name != "" {
		query = url.Values{"name": {name}}
	}
	var reply []wireList
	if err := c.call(ctx, op, http.MethodGet, listsPath, query, nil, &reply); err != nil {
		if isRecordNotFound(err) {
			return []AccountList{}, nil
		}
		return nil, err
	}
	out := make([]AccountList, 0, len(reply))
	for _, w := range reply {
		out = append(out, w.list())
	}
	return out, nil
}

// GetList returns one list; an unknown id is KindNotFound.
func (c *Client) GetList(ctx context.Context, id int64) (*AccountList, error) {
	const op = "get list"
	var raw json.RawMessage
	if err := c.call(ctx, op, http.MethodGet, listPath(id, ""), nil, nil, &raw); err != nil {
		return nil, err
	}
	w, found, err := decodeOneList(raw)
	if err != nil {
		return nil, upstreamErr(op, err)
	}
	if !found {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindNotFound, HTTPStatus: http.StatusOK, Message: "reply holds no list"}
	}
	l := w.list()
	if l.ID == 0 {
		l.ID = id
	}
	return &l, nil
}

// CountList returns a list with the number of contacts on it.
func (c *Client) CountList(ctx context.Context, id int64) (*ListCount, error) {
	const op = "count list"
	var w wireList
	if err := c.call(ctx, op, http.MethodGet, listPath(id, "count"), nil, nil, &w); err != nil {
		return nil, err
	}
	lc := &ListCount{AccountList: w.list(), Count: int(w.Count)}
	if lc.ID == 0 {
		lc.ID = id
	}
	return lc, nil
}

// updateBody is the PUT body, as the document's sample: the list's id
// (marked required in the document, though Cordial's Swagger leaves it
// out), the name Cordial requires, and enhanced only when the caller
// changes it: a field left out of a PUT keeps its value, so a rename
// cannot write back a date-tracking flag it only read.
type updateBody struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Enhanced *bool  `json:"enhanced,omitempty"`
}

// UpdateList renames a list and/or switches its date tracking. Cordial's
// PUT requires the name, so a change of enhanced alone first reads the
// list's current name, fresh from Cordial (outbound.FreshRead: never a
// cached reply nor a read in flight that began before another change),
// so that the PUT cannot rename the list back to an old name.
func (c *Client) UpdateList(ctx context.Context, id int64, upd ListUpdate) (*AccountList, error) {
	const op = "update list"
	body := updateBody{ID: id, Enhanced: upd.Enhanced}
	if upd.Name != nil {
		body.Name = *upd.Name
	} else {
		cur, err := c.GetList(outbound.FreshRead(ctx), id)
		if err != nil {
			return nil, err
		}
		if upd.Enhanced == nil || *upd.Enhanced == cur.Enhanced {
			// The list it would send is the one it read: nothing to
			// change, so Cordial is not asked to.
			return cur, nil
		}
		body.Name = cur.Name
	}
	var raw json.RawMessage
	if err := c.call(ctx, op, http.MethodPut, listPath(id, ""), nil, body, &raw); err != nil {
		return nil, err
	}
	w, found, err := decodeOneList(raw)
	if err != nil {
		return nil, upstreamErr(op, err)
	}
	if !found || w.Name == "" {
		// An empty array or a bare success: Cordial did not echo the list.
		if body.Enhanced != nil {
			return &AccountList{ID: id, Name: body.Name, Enhanced: *body.Enhanced}, nil
		}
		// The flag was not sent, so only Cordial knows it: ask.
		return c.GetList(outbound.FreshRead(ctx), id)
	}
	l := w.list()
	if l.ID == 0 {
		l.ID = id
	}
	return &l, nil
}

// ClearList removes every contact from a list; the list and the contacts
// themselves stay.
func (c *Client) ClearList(ctx context.Context, id int64) error {
	const op = "clear list"
	var reply successReply
	if err := c.call(ctx, op, http.MethodPut, listPath(id, "clear"), nil, nil, &reply); err != nil {
		return err
	}
	return reply.check(op)
}

// DeleteList deletes a list; its contacts stay in Cordial.
func (c *Client) DeleteList(ctx context.Context, id int64) error {
	const op = "delete list"
	var reply successReply
	if err := c.call(ctx, op, http.MethodDelete, listPath(id, ""), nil, nil, &reply); err != nil {
		return err
	}
	return reply.check(op)
}

// check turns a 200 that says success:false into an error, so a refusal
// Cordial reports in-band is not mistaken for success.
func (r successReply) check(op string) error {
	if r.Success != nil && !*r.Success {
		return upstream(op, "vendor reported no success")
	}
	return nil
}

// decodeOneList reads a ListShow sent either bare or as the first element
// of an array (Cordial's v1 and PUT shape).
func decodeOneList(raw json.RawMessage) (wireList, bool, error) {
	raw = bytes.TrimSpace(raw)
	var w wireList
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
		return w, false, nil
	case raw[0] == '[':
		var ws []wireList
		if err := json.Unmarshal(raw, &ws); err != nil {
			return w, false, err
		}
		if len(ws) == 0 {
			return w, false, nil
		}
		return ws[0], true, nil
	default:
		if err := json.Unmarshal(raw, &w); err != nil {
			return w, false, err
		}
		return w, true, nil
	}
}

// isRecordNotFound recognises Cordial's "no records" 404 (as opposed to a
// 404 for an unknown path, which has neither the key nor the message).
func isRecordNotFound(err error) bool {
	var oe *outbound.Error
	if !errors.As(err, &oe) || oe.Kind != outbound.KindNotFound {
		return false
	}
	return oe.Code == CodeRecordNotFound || strings.EqualFold(oe.Message, "record not found")
}

func upstream(op, msg string) *outbound.Error {
	return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream, HTTPStatus: http.StatusOK, Message: msg}
}

func upstreamErr(op string, err error) *outbound.Error {
	return &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindUpstream, HTTPStatus: http.StatusOK, Message: "malformed reply", Err: err}
}

// flexInt decodes an id or count sent as an integral JSON number (the spec
// types the created id as "number") or as a digit string.
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if s == "null" {
		*f = 0
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || x != float64(int64(x)) {
		return fmt.Errorf("not an integer: %.40s", s)
	}
	*f = flexInt(int64(x))
	return nil
}

// flexBool decodes true/false, null, "true"/"false" and 0/1.
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	s := string(bytes.TrimSpace(b))
	if uq, err := strconv.Unquote(s); err == nil {
		s = uq
	}
	switch strings.ToLower(s) {
	case "true", "1":
		*f = true
	case "false", "0", "", "null":
		*f = false
	default:
		return fmt.Errorf("not a boolean: %.40s", s)
	}
	return nil
}
