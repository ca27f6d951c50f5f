// Package sdl prints Switchyard's client schema: the schema codegen
// clients, GraphiQL and GET /schema.graphql see, without the Apollo
// Federation machinery that makes Switchyard a subgraph.
//
// gqlgen's federation plugin adds _service, _entities, _Any, _Entity and
// the federation directives to the executable schema, and
// graph/federation.graphqls adds @link, @key and @entityResolver. A
// router reads all of that from { _service { sdl } }; a client has no use
// for it and codegen tools would generate types for it. gqlgen cannot
// build the schema without them, so they are stripped when printing.
package sdl

import (
	"bytes"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// federationDirectives are Apollo Federation's directives (v1 and v2) and
// gqlgen's federation-only ones: none is client schema.
var federationDirectives = map[string]bool{
	"key": true, "requires": true, "provides": true, "external": true, "extends": true,
	"shareable": true, "link": true, "tag": true, "override": true, "inaccessible": true,
	"interfaceObject": true, "composeDirective": true, "authenticated": true,
	"requiresScopes": true, "policy": true, "context": true, "fromContext": true, "cost": true, "listSize": true,
	"entityResolver": true, "computedRequires": true, "populateFromRepresentations": true, "entityReference": true,
}

// federationFields are the fields the federation plugin adds to Query.
var federationFields = map[string]bool{"_service": true, "_entities": true}

// isFederationSource reports a definition the federation plugin injected
// (gqlgen names its sources federation/directives.graphql and
// federation/entity.graphql and marks them built in).
func isFederationSource(pos *ast.Position) bool {
	return pos != nil && pos.Src != nil && pos.Src.BuiltIn && strings.Contains(pos.Src.Name, "federation/")
}

// ClientSchema returns a copy of s without federation types, fields and
// directives. s itself is not changed: it is the executable schema.
func ClientSchema(s *ast.Schema) *ast.Schema {
	c := *s
	c.Types = make(map[string]*ast.Definition, len(s.Types))
	for name, def := range s.Types {
		if isFederationSource(def.Position) {
			continue
		}
		c.Types[name] = clientDefinition(def)
	}
	c.Directives = make(map[string]*ast.DirectiveDefinition, len(s.Directives))
	for name, d := range s.Directives {
		if federationDirectives[name] || isFederationSource(d.Position) {
			continue
		}
		c.Directives[name] = clientDirectiveDefinition(d)
	}
	c.SchemaDirectives = clientDirectives(s.SchemaDirectives)
	c.Query, c.Mutation, c.Subscription = c.Types[name(s.Query)], c.Types[name(s.Mutation)], c.Types[name(s.Subscription)]
	c.PossibleTypes = clientTypeLists(s.PossibleTypes, c.Types)
	c.Implements = clientTypeLists(s.Implements, c.Types)
	return &c
}

// ClientSDL prints ClientSchema(s) with its descriptions, as
// GET /schema.graphql serves it and graph/schema.graphql commits it.
func ClientSDL(s *ast.Schema) string {
	var buf bytes.Buffer
	formatter.NewFormatter(&buf, formatter.WithComments()).FormatSchema(ClientSchema(s))
	return buf.String()
}

func name(d *ast.Definition) string {
	if d == nil {
		return ""
	}
	return d.Name
}

func clientDefinition(def *ast.Definition) *ast.Definition {
	d := *def
	d.Directives = clientDirectives(def.Directives)
	d.Types = nil
	for _, t := range def.Types { // union members
		if !strings.HasPrefix(t, "_") {
			d.Types = append(d.Types, t)
		}
	}
	d.Fields = nil
	for _, f := range def.Fields {
		if federationFields[f.Name] && isFederationSource(f.Position) {
			continue
		}
		cf := *f
		cf.Directives = clientDirectives(f.Directives)
		cf.Arguments = nil
		for _, a := range f.Arguments {
			ca := *a
			ca.Directives = clientDirectives(a.Directives)
			cf.Arguments = append(cf.Arguments, &ca)
		}
		d.Fields = append(d.Fields, &cf)
	}
	d.EnumValues = nil
	for _, v := range def.EnumValues {
		cv := *v
		cv.Directives = clientDirectives(v.Directives)
		d.EnumValues = append(d.EnumValues, &cv)
	}
	return &d
}

func clientDirectiveDefinition(def *ast.DirectiveDefinition) *ast.DirectiveDefinition {
	d := *def
	d.Arguments = nil
	for _, a := range def.Arguments {
		ca := *a
		ca.Directives = clientDirectives(a.Directives)
		d.Arguments = append(d.Arguments, &ca)
	}
	return &d
}

func clientDirectives(list ast.DirectiveList) ast.DirectiveList {
	var out ast.DirectiveList
	for _, d := range list {
		if !federationDirectives[d.Name] {
			out = append(out, d)
		}
	}
	return out
}

// clientTypeLists keeps, for each kept type, the kept types it lists
// (union members, implementations): _Entity drops out of both.
func clientTypeLists(m map[string][]*ast.Definition, kept map[string]*ast.Definition) map[string][]*ast.Definition {
	out := make(map[string][]*ast.Definition, len(m))
	for name, defs := range m {
		if kept[name] == nil {
			continue
		}
		for _, d := range defs {
			if k := kept[d.Name]; k != nil {
				out[name] = append(out[name], k)
			}
		}
	}
	return out
}
