package appdirect

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/base/outbound"
)

// Company is AppDirect's REST company (account API v2). AppDirect sends
// null for most fields it has no value for; those decode to zero values.
type Company struct {
	UUID         string   `json:"uuid"`
	CompanyID    string   `json:"companyId"` // a string or a number on the wire; kept as text
	Name         string   `json:"name"`
	Enabled      bool     `json:"enabled"`
	AllowLogin   bool     `json:"allowLogin"`
	Address      *Address `json:"address"`
	CompanySize  string   `json:"companySize"`
	CreationDate int64    `json:"creationDate"` // epoch milliseconds; 0 when AppDirect sends null
	Industry     string   `json:"industry"`
	EmailAddress string   `json:"emailAddress"`
	Website      string   `json:"website"`
	Vendor       bool     `json:"vendor"`
	Reseller     bool     `json:"reseller"`
	ChannelAdmin bool     `json:"channelAdmin"`
	ExternalID   string   `json:"externalId"`
	PhoneNumber  string   `json:"phoneNumber"`
	DefaultRole  string   `json:"defaultRole"`
	CountryCode  string   `json:"countryCode"`
	Status       string   `json:"status"`
	Links        []Link   `json:"links"`
	// CustomAttributes are kept as sent: their element shape is
	// unpublished.
	CustomAttributes []json.RawMessage `json:"customAttributes"`
}

// Address is a company's postal address. Inference: AppDirect's usual
// street1/street2/city/state/zip/country names.
type Address struct {
	Street1 string `json:"street1"`
	Street2 string `json:"street2"`
	City    string `json:"city"`
	State   string `json:"state"`
	Zip     string `json:"zip"`
	Country string `json:"country"`
}

// Link is one HATEOAS link of a company ("self", "memberships").
type Link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// UnmarshalJSON accepts companyId as a string or a number: the recorded
// reply only shows null, and older AppDirect APIs used numeric ids.
func (c *Company) UnmarshalJSON(b []byte) error {
	type plain Company
	aux := struct {
		*plain
		CompanyID json.RawMessage `json:"companyId"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	c.CompanyID = ""
	raw := strings.TrimSpace(string(aux.CompanyID))
	switch {
	case raw == "" || raw == "null":
	case strings.HasPrefix(raw, `"`):
		return json.Unmarshal(aux.CompanyID, &c.CompanyID)
	default:
		var n json.Number
		if err := json.Unmarshal(aux.CompanyID, &n); err != nil {
			return err
		}
		c.CompanyID = n.String()
	}
	return nil
}

// GetCompany fetches a company by its UUID. An unknown UUID is KindNotFound.
func (c *Client) GetCompany(ctx context.Context, uuid string) (*Company, error) {
	return c.getCompany(ctx, "get company", uuid, uuid)
}

// GetCompanyByExternalID fetches a company by the external id the
// marketplace stores for it (path segment "externalID:{id}").
func (c *Client) GetCompanyByExternalID(ctx context.Context, externalID string) (*Company, error) {
	return c.getCompany(ctx, "get company by external id", externalID, "externalID:"+externalID)
}

func (c *Client) getCompany(ctx context.Context, op, id, segment string) (*Company, error) {
	// "." and ".." would be resolved away as dot segments and fetch
	// another resource.
	if strings.TrimSpace(id) == "" || segment == "." || segment == ".." {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: "id must not be empty or a dot segment"}
	}
	req, err := c.NewRequest(ctx, op, http.MethodGet, "api/account/v2/companies/"+url.PathEscape(segment), nil, nil)
	if err != nil {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: "invalid id", Err: err}
	}
	var co Company
	if err := c.Do(ctx, req, &co); err != nil {
		return nil, err
	}
	return &co, nil
}

// CompanyPage is one page of the REST company list.
type CompanyPage struct {
	Content []Company `json:"content"`
	Page    PageMeta  `json:"page"`
}

// PageMeta is the REST list's page block: size asked, total companies,
// total pages and the 0-based page number.
type PageMeta struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

// ListCompanies reads one page of every company in the marketplace
// (GET api/account/v2/companies?page&size; page is 0-based).
func (c *Client) ListCompanies(ctx context.Context, page, size int) (*CompanyPage, error) {
	const op = "list companies"
	if page < 0 || size < 1 {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: "page must not be negative and size must be positive"}
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(size)}}
	req, err := c.NewRequest(ctx, op, http.MethodGet, "api/account/v2/companies", q, nil)
	if err != nil {
		return nil, &outbound.Error{Vendor: Name, Operation: op, Kind: outbound.KindBadInput, Message: "invalid request", Err: err}
	}
	var p CompanyPage
	if err := c.Do(ctx, req, &p); err != nil {
		return nil, err
	}
	if p.Content == nil {
		p.Content = []Company{}
	}
	return &p, nil
}
