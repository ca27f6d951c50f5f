package generated_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/switchyard/switchyard/graph/generated"
)

func TestSetEntitiesComplexity(t *testing.T) {
	var root generated.ComplexityRoot
	root.SetEntitiesComplexity(func(child int, reps []map[string]any) int { return 10*len(reps) + child })
	es := generated.NewExecutableSchema(generated.Config{Complexity: root})
	reps := []any{map[string]any{"__typename": "Customer", "id": "1"}, map[string]any{"__typename": "Customer", "id": "2"}}
	cost, ok := es.Complexity(context.Background(), "Query", "_entities", 3, map[string]any{"representations": reps})
	require.True(t, ok)
	assert.Equal(t, 23, cost)
}
