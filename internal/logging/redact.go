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

// patterns find credentials whose value is not known in advance (a
// client's bearer token, a key pasted into a URL). Each keeps its prefix
// so that the log still says what kind of value was removed.
var patterns = []struct {
	re   *regexp.Regexp
	repl string
}{
	// Authorization schemes. Basic needs a credential of 8 or more
	// characters so that "Basic auth" in a sentence survives.
	{regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*`), "${1}" + Redacted},
	{regexp.MustCompile(`(?i)\b(basic\s+)[A-Za-z0-9+/]{8,}={0,2}`), "${1}" + Redacted},
	// key=value, key: value and "key":"value" where the key names a
	// credential (apiKey, accessKey, X-Api-Key, client_secret,
	// access_token, password...).
	{regexp.MustCompile(`(?i)\b([\w.-]*(?:api[_-]?key|access[_-]?key|secret|token|passw(?:or)?d|credential)[\w.-]*["']?\s*[=:]\s*["']?)[^\s&"',;)}\]]+`), "${1}" + Redacted},
	// user:password@ in a URL.
	{regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^\s/@]+@`), "${1}" + Redacted + "@"},
}

// redactor removes registered secret values and credential-shaped text.
type redactor struct {
	secrets *strings.Replacer // nil when no secret is registered
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
	r := &redactor{}
	if len(olds) > 0 {
		pairs := make([]string, 0, 2*len(olds))
		for _, s := range olds {
			pairs = append(pairs, s, Redacted)
		}
		r.secrets = strings.NewReplacer(pairs...)
	}
	return r
}

func (r *redactor) string(s string) string {
	if r.secrets != nil {
		s = r.secrets.Replace(s)
	}
	for _, p := range patterns {
		s = p.re.ReplaceAllString(s, p.repl)
	}
	return s
}

func (r *redactor) attrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = r.attr(a)
	}
	return out
}

// attr redacts string values, group members, errors, and any other value
// whose printed or JSON form holds a secret (which then logs as the
// redacted printed form).
func (r *redactor) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		v = slog.StringValue(r.string(v.String()))
	case slog.KindGroup:
		v = slog.GroupValue(r.attrs(v.Group())...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			v = slog.StringValue(r.string(x.Error()))
		case []byte:
			if s := string(x); r.string(s) != s {
				v = slog.StringValue(r.string(s))
			}
		default:
			printed := fmt.Sprintf("%+v", x)
			leaks := r.string(printed) != printed
			if b, err := json.Marshal(x); err == nil && !leaks {
				leaks = r.string(string(b)) != string(b)
			}
			if leaks {
				v = slog.StringValue(r.string(printed))
			}
		}
	}
	a.Value = v
	return a
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

func (h *redactHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.string(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.r.attr(a))
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
