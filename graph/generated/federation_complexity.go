package generated

// SetEntitiesComplexity sets the cost of Query._entities, the federation
// field a router resolves Switchyard's entities through. gqlgen names its
// ComplexityRoot entry __resolve_entities, which no other package can set,
// and without a cost a request with many representations would pass the
// complexity limit however many vendor calls it makes.
func (c *ComplexityRoot) SetEntitiesComplexity(f func(childComplexity int, representations []map[string]any) int) {
	c.Query.__resolve_entities = f
}
