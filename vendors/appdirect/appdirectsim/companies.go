package appdirectsim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchyard/switchyard/internal/base/simkit"
)

// externalIDPrefix marks the companies path segment that names a company by
// its external id rather than its uuid.
const externalIDPrefix = "externalID:"

// companyView is the REST company, derived from the account record
// (uuid = account id). Fields AppDirect sends but the simulator has no
// data for are sent as null, as in AppDirect's own replies.
type companyView struct {
	UUID             string   `json:"uuid"`
	CompanyID        *string  `json:"companyId"`
	Name             string   `json:"name"`
	Enabled          bool     `json:"enabled"`
	AllowLogin       bool     `json:"allowLogin"`
	Address          *address `json:"address"`
	CompanySize      *string  `json:"companySize"`
	CustomAttributes []any    `json:"customAttributes"`
	CreationDate     *int64   `json:"creationDate"`
	Industry         *string  `json:"industry"`
	EmailAddress     *string  `json:"emailAddress"`
	Website          *string  `json:"website"`
	Vendor           bool     `json:"vendor"`
	Reseller         bool     `json:"reseller"`
	ChannelAdmin     bool     `json:"channelAdmin"`
	ExternalID       *string  `json:"externalId"`
	PhoneNumber      *string  `json:"phoneNumber"`
	DefaultRole      *string  `json:"defaultRole"`
	CountryCode      *string  `json:"countryCode"`
	Status           *string  `json:"status"`
	Links            []link   `json:"links"`
}

type link struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// companyFromAccount maps the account to AppDirect's company shape.
// Inference: enabled means any status but DISABLED and PENDING_ACTIVATION;
// allowLogin only ENABLED; status repeats the account status.
func companyFromAccount(a accountRecord, base string) companyView {
	self := base + "api/account/v2/companies/" + a.ID
	c := companyView{
		UUID:             a.ID,
		Name:             a.Name,
		Enabled:          a.Status == "ENABLED" || a.Status == "ENABLED_WITHOUT_LOGIN",
		AllowLogin:       a.Status == "ENABLED",
		Address:          a.Address,
		CompanySize:      nullable(a.CompanySize),
		CustomAttributes: []any{},
		Industry:         nullable(a.Industry),
		EmailAddress:     nullable(a.ContactEmail),
		Website:          nullable(a.Website),
		Vendor:           a.hasAccessType("VENDOR"),
		Reseller:         a.hasAccessType("RESELLER"),
		ChannelAdmin:     a.hasAccessType("CHANNEL_ADMIN"),
		ExternalID:       nullable(a.ExternalID),
		PhoneNumber:      nullable(a.ContactPhoneNumber),
		DefaultRole:      nullable(a.DefaultRole),
		CountryCode:      nullable(a.CountryCode),
		Status:           nullable(a.Status),
		Links: []link{
			{Rel: "self", Href: self},
			{Rel: "memberships", Href: self + "/memberships"},
		},
	}
	if a.CreatedOn != nil {
		ms := a.CreatedOn.UnixMilli()
		c.CreationDate = &ms
	}
	return c
}

// handleCompany is GET /api/account/v2/companies/{uuid} and
// GET /api/account/v2/companies/externalID:{externalId}.
func (s *Server) handleCompany(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	var (
		a  accountRecord
		ok bool
	)
	if ext, isExt := strings.CutPrefix(key, externalIDPrefix); isExt {
		a, ok = s.store.getByExternalID(ext)
	} else {
		a, ok = s.store.get(key)
	}
	if !ok {
		writeError(w, http.StatusNotFound, "NOT_FOUND", "Company not found: "+key)
		return
	}
	simkit.WriteJSON(w, http.StatusOK, companyFromAccount(a, externalBase(r)))
}

// externalBase is the base URL the caller used, prefix included, so that
// links point back through whatever mount (simkit.Mux, a test prefix) the
// request came in by: http.StripPrefix leaves RequestURI untouched.
func externalBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	reqPath := r.RequestURI
	if i := strings.IndexAny(reqPath, "?#"); i >= 0 {
		reqPath = reqPath[:i]
	}
	inner := r.URL.EscapedPath()
	prefix := ""
	if strings.HasSuffix(reqPath, inner) {
		prefix = strings.TrimSuffix(reqPath, inner)
	}
	return scheme + "://" + r.Host + prefix + "/"
}

// Company list paging. Inference: Spring Data's conventions (0-based page,
// default size 20); sizes above 100 are refused like the GraphQL pages.
const (
	defaultCompanyPageSize = 20
	maxCompanyPageSize     = 100
)

// companyPage is the paged REST list: {links, content, page}.
type companyPage struct {
	Links   []link        `json:"links"`
	Content []companyView `json:"content"`
	Page    pageMeta      `json:"page"`
}

type pageMeta struct {
	Size          int `json:"size"`
	TotalElements int `json:"totalElements"`
	TotalPages    int `json:"totalPages"`
	Number        int `json:"number"`
}

// handleCompanies is GET /api/account/v2/companies?page&size: every
// company in account order. A page or size that is not a number, a
// negative page or a size outside 1..100 is 400 {code, message}.
func (s *Server) handleCompanies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	num := func(k string, def int) (int, bool) {
		v := strings.TrimSpace(q.Get(k))
		if v == "" {
			return def, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil
	}
	page, ok1 := num("page", 0)
	size, ok2 := num("size", defaultCompanyPageSize)
	if !ok1 || !ok2 || page < 0 || size < 1 || size > maxCompanyPageSize {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "page must be 0 or more and size between 1 and 100")
		return
	}
	all := s.store.snapshot()
	base := externalBase(r)
	out := companyPage{
		Links:   []link{{Rel: "self", Href: base + "api/account/v2/companies?page=" + strconv.Itoa(page) + "&size=" + strconv.Itoa(size)}},
		Content: []companyView{},
		Page:    pageMeta{Size: size, TotalElements: len(all), TotalPages: (len(all) + size - 1) / size, Number: page},
	}
	for i := page * size; i < len(all) && i < (page+1)*size; i++ {
		out.Content = append(out.Content, companyFromAccount(all[i], base))
	}
	simkit.WriteJSON(w, http.StatusOK, out)
}
