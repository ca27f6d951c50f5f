package registry_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/switchyard/switchyard/graph/model"
	"github.com/switchyard/switchyard/internal/app/registry"
)

// The schema's Vendor enum (invalidateCache's argument) is the registry in
// upper case, in its order: a vendor added here needs its value in
// graph/schema.graphqls, and a value there names a vendor this build has.
func TestVendorEnumMatchesRegistry(t *testing.T) {
	var want []string
	for _, m := range registry.Modules(registry.Entries()) {
		want = append(want, strings.ToUpper(m.Name()))
	}
	var got []string
	for _, v := range model.AllVendor {
		assert.True(t, v.IsValid())
		got = append(got, string(v))
	}
	assert.ElementsMatch(t, want, got, "enum Vendor must have one value per registry entry: each vendor's graph/<vendor>.graphqls adds its own (extend enum Vendor)")
	assert.False(t, slices.Contains(got, ""), "no empty value")
}
