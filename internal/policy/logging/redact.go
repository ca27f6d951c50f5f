package logging

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Redacted replaces every secret the redacting handler finds.
const Redacted = "REDACTED"

// minSecretLen is the shortest registered secret that is redacted: a
// shorter value would match ordinary words and numbers all over the log.
const minSecretLen = 6

// Credential patterns find credentials whose value is not known in advance
// (a client's bearer token, a key pasted into a URL). Each keeps its
// prefix so that the log still says what kind of value was removed. Where
// ordinary prose can match ("bearer token required", "invalid token:
// signature mismatch"), the value is replaced only when it is
// credential-shaped (see credentialShaped).
var (
	// An Authorization value, scheme kept, whatever its shape: the header
	// only ever carries credentials.
	authorizationRe = regexp.MustCompile(`(?i)\b(authorization["']?\s*[=:]\s*["']?(?:[a-z][a-z0-9-]*\s+)?)[^\s"',;)}\]]+`)
	// Authorization schemes in running text.
	bearerRe = regexp.MustCompile(`(?i)\b(bearer\s+)([A-Za-z0-9\-._~+/]+=*)`)
	basicRe  = regexp.MustCompile(`(?i)\b(basic\s+)([A-Za-z0-9+/]{8,}={0,2})`)
	// key=value, key: value and "key":"value" where the key names a
	// credential (apiKey, accessKey, X-Api-Key, client_secret,
	// access_token, password...).
	keyValueRe = regexp.MustCompile(`(?i)\b([\w.-]*(?:api[_-]?key|access[_-]?key|secret|token|passw(?:or)?d|credential)[\w.-]*["']?\s*[=:]\s*["']?)([^\s&"',;)}\]]+)`)
	// user:password@ in a URL.
	userInfoRe = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]+@`)
)

// credentialShaped reports whether v, a word found where a credential may
// be, looks like one rather than like prose: it holds a digit, a symbol,
// an upper-case letter after the first, or is 20 characters or longer.
// Trailing sentence punctuation has already been cut off.
func credentialShaped(v string) bool {
	if len(v) >= 20 {
		return true
	}
	for i := range len(v) {
		c := v[i]
		switch {
		case '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~', c == '+', c == '/', c == '=':
			return true
		case i > 0 && 'A' <= c && c <= 'Z':
			return true
		}
	}
	return false
}

// replaceShaped replaces, in each match of re (groups: prefix, value), the
// value by Redacted when always(prefix) or the value is credential-shaped.
// Dots and commas ending the value are kept: they end a sentence.
func replaceShaped(s string, re *regexp.Regexp, always func(prefix string) bool) string {
	return re.ReplaceAllStringFunc(s, func(m string) string {
		sub := re.FindStringSubmatch(m)
		prefix, value := sub[1], sub[2]
		trimmed := strings.TrimRight(value, ".,")
		if trimmed == "" || !(always != nil && always(prefix)) && !credentialShaped(trimmed) {
			return m
		}
		return prefix + Redacted + value[len(trimmed):] + m[len(prefix)+len(value):]
	})
}

// keyValueAlways: "key=value" and "key": "value" always hold a credential;
// an unquoted "key: value" may be prose ("invalid token: expired").
func keyValueAlways(prefix string) bool {
	return strings.ContainsRune(prefix, '=') || strings.ContainsAny(prefix[len(prefix)-1:], `"'`)
}

// redactor removes registered secret values and credential-shaped text.
type redactor struct {
	secrets *strings.Replacer // nil when no secret is registered
	olds    []string          // the strings secrets replaces
}

func newRedactor(secrets []string) *redactor {
	var olds []string
	for _, s := range secrets {
		if len(s) < minSecretLen {
			continue
		}
		// A secret also shows up escaped when it travelled in a URL.
		olds = append(olds, s, url.QueryEscape(s), url.PathEscape(s))
	}
	// Longest first, so that a secret containing another is replaced
	// whole; equal ones end up adjacent for Compact.
	slices.SortFunc(olds, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	olds = slices.Compact(olds)
	r := &redactor{olds: olds}
	if len(olds) > 0 {
		pairs := make([]string, 0, 2*len(olds))
		for _, s := range olds {
			pairs = append(pairs, s, Redacted)
		}
		r.secrets = strings.NewReplacer(pairs...)
	}
	return r
}

// string redacts s. Most log values (methods, paths, ids, operation names)
// can hold no secret: cheap substring checks send them back untouched
// before any replacer or regular expression runs.
func (r *redactor) string(s string) string {
	if r.secrets != nil && r.holdsSecret(s) {
		s = r.secrets.Replace(s)
	}
	colon := strings.ContainsAny(s, "=:")
	bearer, basic := containsFold(s, "bearer"), containsFold(s, "basic")
	if !colon && !bearer && !basic {
		return s
	}
	if colon {
		if containsFold(s, "authorization") {
			s = authorizationRe.ReplaceAllString(s, "${1}"+Redacted)
		}
		s = replaceShaped(s, keyValueRe, keyValueAlways)
		if strings.Contains(s, "://") && strings.Contains(s, "@") {
			s = userInfoRe.ReplaceAllString(s, "${1}"+Redacted+"@")
		}
	}
	if bearer {
		s = replaceShaped(s, bearerRe, nil)
	}
	if basic {
		s = replaceShaped(s, basicRe, nil)
	}
	return s
}

// holdsSecret reports whether s contains a registered secret.
func (r *redactor) holdsSecret(s string) bool {
	for _, o := range r.olds {
		if strings.Contains(s, o) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word,
// ignoring case, without allocating.
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		if s[i]|0x20 == word[0] && strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

func (r *redactor) attrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i], _ = r.attr(a)
	}
	return out
}

// attr redacts string values, group members, errors, and any other value
// whose printed or JSON form holds a secret (which then logs as the
// redacted printed form). changed is false when a is returned as it was.
func (r *redactor) attr(a slog.Attr) (_ slog.Attr, changed bool) {
	changed = a.Value.Kind() == slog.KindLogValuer // pass on the resolved value
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		if s := r.string(v.String()); s != v.String() {
			v, changed = slog.StringValue(s), true
		}
	case slog.KindGroup:
		group := v.Group()
		out := make([]slog.Attr, len(group))
		for i, g := range group {
			var c bool
			out[i], c = r.attr(g)
			changed = changed || c
		}
		if changed {
			v = slog.GroupValue(out...)
		}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			v, changed = slog.StringValue(r.string(x.Error())), true
		case []byte:
			if s := string(x); r.string(s) != s {
				v, changed = slog.StringValue(r.string(s)), true
			}
		default:
			printed := fmt.Sprintf("%+v", x)
			leaks := r.string(printed) != printed
			if b, err := json.Marshal(x); err == nil && !leaks {
				leaks = r.string(string(b)) != string(b)
			}
			if leaks {
				v, changed = slog.StringValue(r.string(printed)), true
			}
		}
	}
	a.Value = v
	return a, changed
}

// redactHandler passes records on with their message and attributes
// redacted. It is the one place where secrets are scrubbed from logs.
type redactHandler struct {
	next slog.Handler
	r    *redactor
}

func (h *redactHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle passes rec on as it is when nothing in it needs redacting (the
// common case: no copy), else a redacted copy.
func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	msg := h.r.string(rec.Message)
	changed := msg != rec.Message
	if !changed {
		rec.Attrs(func(a slog.Attr) bool {
			_, changed = h.r.attr(a)
			return !changed
		})
	}
	if !changed {
		return h.next.Handle(ctx, rec)
	}
	out := slog.NewRecord(rec.Time, rec.Level, msg, rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		ra, _ := h.r.attr(a)
		out.AddAttrs(ra)
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &redactHandler{next: h.next.WithAttrs(h.r.attrs(as)), r: h.r}
}

func (h *redactHandler) WithGroup(name string) slog.Handler {
	return &redactHandler{next: h.next.WithGroup(name), r: h.r}
}
