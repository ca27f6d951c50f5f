package errcode_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/internal/policy/errcode"
)

var codeShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)

// documentedCodes are the codes in the first column of the README's
// "Errors" table.
func documentedCodes(t *testing.T) []string {
	b, err := os.ReadFile("../../../README.md")
	require.NoError(t, err)
	section := string(b)
	i := strings.Index(section, "\n## Errors")
	require.GreaterOrEqual(t, i, 0, "the README has an Errors section")
	section = section[i+1:]
	if j := strings.Index(section[3:], "\n## "); j >= 0 {
		section = section[:j+3]
	}
	var out []string
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(line[1:], "|", 2)[0]
		for _, m := range regexp.MustCompile("`([A-Z_]+)`").FindAllStringSubmatch(first, -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// codeConstants are the string constants of the shape of a code declared
// in the request-side packages and errcode (where codes are made),
// environment variable names aside.
func codeConstants(t *testing.T) map[string]string {
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, dir := range []string{"errcode", "querylimits", "persisted", "crossorigin", "auth", "idempotency", "graphqlhttp", "costplan", "cachecontrol"} {
		files, err := filepath.Glob(filepath.Join("..", dir, "*.go"))
		require.NoError(t, err)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			file, err := parser.ParseFile(fset, f, nil, 0)
			require.NoError(t, err)
			ast.Inspect(file, func(n ast.Node) bool {
				vs, ok := n.(*ast.ValueSpec)
				if !ok {
					return true
				}
				for i, v := range vs.Values {
					lit, ok := v.(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					s, _ := strconv.Unquote(lit.Value)
					if codeShape.MatchString(s) && !strings.HasPrefix(s, "SWITCHYARD_") && !strings.HasPrefix(vs.Names[i].Name, "env") && !strings.HasPrefix(vs.Names[i].Name, "Env") {
						out[s] = f + ": " + vs.Names[i].Name
					}
				}
				return true
			})
		}
	}
	return out
}

// Every code a client can see is in the README's error table, and every
// code the table names is one the code can produce: errcode.Documented
// both ways, and no code constant outside it.
func TestErrorCodesAreDocumented(t *testing.T) {
	docs := documentedCodes(t)
	require.NotEmpty(t, docs)
	for _, c := range errcode.Documented {
		assert.Contains(t, docs, c, "%s is a code clients can get but the README's Errors table does not list it", c)
	}
	for _, c := range docs {
		assert.Contains(t, errcode.Documented, c, "the README's Errors table lists %s, which no code produces", c)
	}
	for code, where := range codeConstants(t) {
		assert.True(t, slices.Contains(errcode.Documented, code), "%s (%s) is not in errcode.Documented", code, where)
	}
}
