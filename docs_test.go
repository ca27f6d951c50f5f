package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// slug is GitHub's anchor for a heading: lower case, punctuation but
// hyphens dropped, spaces as hyphens.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestDocsLinksResolve: every relative link in the README, docs/ and the
// top-level documents names a file that exists and, with a #fragment, a
// heading of that file, so moving a section cannot leave a newcomer on a
// dead link.
func TestDocsLinksResolve(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	require.NoError(t, err)
	files = append(files, "README.md", "ARCHITECTURE.md", "RELIABILITY.md", "SECURITY.md", "BENCHMARKS.md")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	heading := regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	anchors := func(path string) map[string]bool {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		out := map[string]bool{}
		for _, h := range heading.FindAllStringSubmatch(string(b), -1) {
			out[slug(h[1])] = true
		}
		return out
	}
	checked := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range link.FindAllStringSubmatch(string(b), -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(target, "#")
			resolved := f
			if path != "" {
				resolved = filepath.Join(filepath.Dir(f), path)
				_, err := os.Stat(resolved)
				if !assert.NoError(t, err, "%s links to %s, which does not exist", f, target) {
					continue
				}
			}
			if frag != "" && strings.HasSuffix(resolved, ".md") {
				assert.True(t, anchors(resolved)[frag], "%s links to %s, a heading %s does not have", f, target, resolved)
			}
			checked++
		}
	}
	assert.Greater(t, checked, 20)
}

// TestReadmeStaysShort: the README is what a newcomer reads first; the
// references live in docs/.
func TestReadmeStaysShort(t *testing.T) {
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.LessOrEqual(t, strings.Count(string(b), "\n"), 250)
}
