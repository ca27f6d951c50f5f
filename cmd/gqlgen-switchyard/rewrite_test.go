package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// exec is a cut-down generated.go: a list of objects, a list of enums
// (left alone: not in lists) and a scalar list without the call.
const exec = gqlgenHeader + `
package generated

func (ec *executionContext) marshalNAccount2ᚕAccountᚄ(ctx context.Context, sel ast.SelectionSet, v []model.Account) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		fc := graphql.GetFieldContext(ctx)
		fc.Result = &v[i]
		return ec.marshalNAccount2Account(ctx, sel, v[i])
	})
	return ret
}

func (ec *executionContext) marshalNAccessType2ᚕAccessTypeᚄ(ctx context.Context, sel ast.SelectionSet, v []model.AccessType) graphql.Marshaler {
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		return ec.marshalNAccessType2AccessType(ctx, sel, v[i])
	})
	return ret
}
`

func TestRewriteLists(t *testing.T) {
	lists := map[string]string{"marshalNAccount2ᚕAccountᚄ": "Account"}
	out, n, err := rewriteLists([]byte(exec), lists)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	want := strings.Replace(exec, gqlgenHeader, ourHeader, 1)
	want = strings.Replace(want, `graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		fc :=`, `marshalList(ctx, sel, "Account", len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		fc :=`, 1)
	assert.Equal(t, want, string(out), "only the listed marshaller's call changes")
}

// TestRewriteListsFailsLoudly: anything but the expected shape is an
// error, never a file rewritten in part.
func TestRewriteListsFailsLoudly(t *testing.T) {
	account := map[string]string{"marshalNAccount2ᚕAccountᚄ": "Account"}
	tests := []struct {
		name  string
		src   string
		lists map[string]string
		want  string
	}{
		{"another header", strings.Replace(exec, "gqlgen, DO", "gqlgen v2, DO", 1), account, "header"},
		{"nothing to rewrite", exec, map[string]string{}, "no list of objects"},
		{"a listed marshaller missing", exec, map[string]string{"marshalNAccount2ᚕAccountᚄ": "Account", "marshalNCompany2ᚕCompanyᚄ": "Company"}, "no list marshaller marshalNCompany2ᚕCompanyᚄ"},
		{"the call renamed", strings.ReplaceAll(exec, "MarshalSliceConcurrently", "MarshalSlice"), account, "0 calls"},
		{"an argument added", strings.Replace(exec, "len(v), 0, false,", "len(v), 0, false, nil,", 1), account, "6 arguments"},
		{"another length", strings.Replace(exec, "(ctx, len(v), 0", "(ctx, n, 0", 1), account, "not len(v)"},
		{"another callback", strings.Replace(exec, "func(ctx context.Context, i int) graphql.Marshaler {\n\t\tfc", "func(ctx context.Context, i int64) graphql.Marshaler {\n\t\tfc", 1), account, "func(context.Context, int) graphql.Marshaler"},
		{"no sel", strings.Replace(exec, "(ctx context.Context, sel ast.SelectionSet, v []model.Account)", "(ctx context.Context, s ast.SelectionSet, v []model.Account)", 1), account, "no parameter named sel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := rewriteLists([]byte(tc.src), tc.lists)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}
