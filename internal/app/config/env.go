package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// This file is the gateway's one reader of environment variables. A
// variable is a struct field tagged `env:"NAME"`, in Config or in a
// section type it holds (auth.Config, querylimits.Config, ...), so that
// adding one is a field and a README row. The field's value before
// parsing is its default; an unset or blank variable leaves it alone.
//
// Tags:
//
//	env:"NAME"          the variable (below a prefix for per-vendor structs)
//	env:"NAME,secret"   taken exactly as given (not trimmed), and listed by
//	                    Config.Secrets for the log scrubber
//	min:"N" max:"N"     bounds of an int, int64 or float64; for a duration
//	                    min:"0" also accepts 0 (durations are otherwise > 0)
//
// Field types: string, []string (comma-separated, blanks dropped), bool
// and *bool (nil: unset) read as switches (see switchWords), int, int64,
// float64 (finite) and time.Duration (Go syntax: 300ms, 5s).
//
// It is a parser of our own rather than a struct-tag library such as
// caarlos0/env: Load reads through a getenv function (tests hand it a
// map), defaults are the Go constants the packages already export rather
// than strings restated in tags, bounds and "0 means off" need checking
// anyway, and every error must name the variable without echoing a
// secret. That is about a hundred lines, and no dependency.

// switchWords are the words every on/off variable accepts, in any case
// and with surrounding blanks; anything else is a start-up error naming
// the variable.
var switchWords = map[string]bool{
	"1": true, "true": true, "on": true, "yes": true,
	"0": false, "false": false, "off": false, "no": false,
}

// SwitchWords describes switchWords for error messages and docs.
const SwitchWords = "1/0, true/false, on/off or yes/no"

// parseSwitch reads one on/off value.
func parseSwitch(s string) (bool, bool) {
	on, ok := switchWords[strings.ToLower(strings.TrimSpace(s))]
	return on, ok
}

// Variable is one environment variable the configuration reads.
type Variable struct {
	Name string
	// Kind is the field's type as the parser reads it: "switch",
	// "string", "list", "int", "number" or "duration".
	Kind string
}

// envReader fills tagged fields from getenv, collecting one error per
// bad variable and the variables it visited.
type envReader struct {
	getenv func(string) string
	errs   []string
	seen   []Variable
}

// read fills the tagged fields of the struct dst points to, its nested
// structs included; prefix is put before every name.
func (r *envReader) read(prefix string, dst any) {
	eachTagged(reflect.ValueOf(dst).Elem(), func(tag string, f reflect.StructField, fv reflect.Value) {
		name, opts, _ := strings.Cut(tag, ",")
		name = prefix + name
		kind := r.field(name, opts == "secret", f, fv)
		r.seen = append(r.seen, Variable{Name: name, Kind: kind})
	})
}

// eachTagged calls fn for every exported field of struct v with an env
// tag, recursing into untagged struct fields.
func eachTagged(v reflect.Value, fn func(tag string, f reflect.StructField, fv reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if tag, ok := f.Tag.Lookup("env"); ok {
			fn(tag, f, v.Field(i))
		} else if f.Type.Kind() == reflect.Struct {
			eachTagged(v.Field(i), fn)
		}
	}
}

var durationType = reflect.TypeFor[time.Duration]()

// field parses variable name into fv and returns its kind.
func (r *envReader) field(name string, secret bool, f reflect.StructField, fv reflect.Value) string {
	raw := r.getenv(name)
	if !secret {
		raw = strings.TrimSpace(raw)
	}
	set := strings.TrimSpace(raw) != ""
	fail := func(format string, args ...any) {
		r.errs = append(r.errs, fmt.Sprintf("%s must be %s, got %q", name, fmt.Sprintf(format, args...), raw))
	}
	bound := func(key string, def float64) float64 {
		s, ok := f.Tag.Lookup(key)
		if !ok {
			return def
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			panic(fmt.Sprintf("config: field %s: bad %s tag %q", f.Name, key, s))
		}
		return n
	}
	switch {
	case f.Type == durationType:
		zeroOK := bound("min", 1) == 0
		if !set {
			return "duration"
		}
		if zeroOK && raw == "0" {
			fv.SetInt(0)
			return "duration"
		}
		d, err := time.ParseDuration(raw)
		if err != nil || d <= 0 {
			if zeroOK {
				fail("a Go duration such as 300ms or 5s, or 0")
			} else {
				fail("a positive Go duration such as 300ms or 5s")
			}
			return "duration"
		}
		fv.SetInt(int64(d))
		return "duration"
	case f.Type.Kind() == reflect.Bool, f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Bool:
		if !set {
			return "switch"
		}
		on, ok := parseSwitch(raw)
		if !ok {
			fail(SwitchWords)
			return "switch"
		}
		if f.Type.Kind() == reflect.Pointer {
			fv.Set(reflect.ValueOf(&on))
		} else {
			fv.SetBool(on)
		}
		return "switch"
	case f.Type.Kind() == reflect.String:
		if set {
			fv.SetString(raw)
		}
		return "string"
	case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String:
		if set {
			var list []string
			for item := range strings.SplitSeq(raw, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
				}
			}
			fv.Set(reflect.ValueOf(list))
		}
		return "list"
	case f.Type.Kind() == reflect.Int, f.Type.Kind() == reflect.Int64:
		lo, hi := bound("min", math.MinInt64), bound("max", math.MaxInt64)
		if !set {
			return "int"
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || float64(n) < lo || float64(n) > hi {
			if hi == math.MaxInt64 {
				fail("a whole number, %d or more", int64(lo))
			} else {
				fail("a whole number in %d..%d", int64(lo), int64(hi))
			}
			return "int"
		}
		fv.SetInt(n)
		return "int"
	case f.Type.Kind() == reflect.Float64:
		lo := bound("min", math.Inf(-1))
		if !set {
			return "number"
		}
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil || n < lo || math.IsInf(n, 0) || math.IsNaN(n) {
			fail("a number, %g or more", lo)
			return "number"
		}
		fv.SetFloat(n)
		return "number"
	}
	panic(fmt.Sprintf("config: field %s (%s) has an env tag but a type the parser does not read", f.Name, f.Type))
}

// secretFields lists the values of the non-empty fields tagged secret in
// struct v, its nested structs included.
func secretFields(v reflect.Value) []string {
	var out []string
	eachTagged(v, func(tag string, _ reflect.StructField, fv reflect.Value) {
		if strings.HasSuffix(tag, ",secret") && fv.String() != "" {
			out = append(out, fv.String())
		}
	})
	return out
}
