// Command tfjson-templates reads a Terraform JSON configuration (a cdktf stack's cdk.tf.json) the
// way OpenTofu reads it: every string is a template, parsed by OpenTofu's own HCL (the fork and
// version its go.mod pins). It prints, as JSON, each string's parse errors, the references it
// makes, and the value of plain text that holds escapes, so a test can tell literal text that Terraform would
// misread from real references.
//
// `tofu validate` does the same and more, but needs the providers' schemas; this needs nothing.
//
//	tfjson-templates <cdk.tf.json>
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Problem is a string that OpenTofu would refuse, or would read as something other than written.
type Problem struct {
	Path    string `json:"path"`
	Summary string `json:"summary"`
	Detail  string `json:"detail"`
}

// Reference is one traversal a template makes (`kubernetes_secret_v1.x.metadata[0].name`).
type Reference struct {
	Path      string `json:"path"`
	Traversal string `json:"traversal"`
}

// Unescaped is a plain-text string whose value differs from its JSON text (it holds `$${` or
// `%%{`): the value OpenTofu reads.
type Unescaped struct {
	Path  string `json:"path"`
	Value string `json:"value"`
}

// Report is what the command prints.
type Report struct {
	Problems   []Problem   `json:"problems"`
	References []Reference `json:"references"`
	Unescaped  []Unescaped `json:"unescaped"`
}

// Roots that are not resources: what a reference may start with besides a declared resource type.
var builtinRoots = map[string]bool{"var": true, "local": true, "data": true, "module": true, "path": true, "terraform": true, "each": true, "count": true, "self": true}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tfjson-templates <cdk.tf.json>")
		os.Exit(2)
	}
	source, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var config map[string]any
	decoder := json.NewDecoder(strings.NewReader(string(source)))
	decoder.UseNumber()
	if err := decoder.Decode(&config); err != nil {
		fmt.Fprintf(os.Stderr, "%s is not a JSON object: %v\n", os.Args[1], err)
		os.Exit(2)
	}
	report := check(config, os.Args[1])
	out, _ := json.MarshalIndent(report, "", "  ")
	fmt.Println(string(out))
}

func check(config map[string]any, filename string) Report {
	report := Report{Problems: []Problem{}, References: []Reference{}, Unescaped: []Unescaped{}}
	declared := declaredAddresses(config)
	walk(config, "", func(path, text string) {
		expr, diags := hclsyntax.ParseTemplate([]byte(text), filename, hcl.InitialPos)
		for _, diag := range diags {
			report.Problems = append(report.Problems, Problem{Path: path, Summary: diag.Summary, Detail: diag.Detail})
		}
		if diags.HasErrors() {
			return
		}
		traversals := expr.Variables()
		for _, traversal := range traversals {
			name := traversalString(traversal)
			report.References = append(report.References, Reference{Path: path, Traversal: name})
			if problem := undeclared(traversal, declared); problem != "" {
				report.Problems = append(report.Problems, Problem{Path: path, Summary: problem, Detail: name})
			}
		}
		if len(traversals) == 0 {
			if value, valueDiags := expr.Value(nil); !valueDiags.HasErrors() && value.Type() == cty.String && value.IsKnown() {
				if value.AsString() != text {
					report.Unescaped = append(report.Unescaped, Unescaped{Path: path, Value: value.AsString()})
				}
			} else if valueDiags.HasErrors() {
				for _, diag := range valueDiags {
					report.Problems = append(report.Problems, Problem{Path: path, Summary: diag.Summary, Detail: diag.Detail})
				}
			}
		}
	})
	sort.Slice(report.Problems, func(i, j int) bool { return report.Problems[i].Path < report.Problems[j].Path })
	return report
}

// walk calls visit for every string and every object key under the configuration, except the
// `//` comment properties that HCL's JSON syntax ignores. Keys are templates too when their object
// is an expression (a ConfigMap's `data`); block labels never hold `${`, so checking them is harmless.
func walk(value any, path string, visit func(path, text string)) {
	switch v := value.(type) {
	case string:
		visit(path, v)
	case []any:
		for i, item := range v {
			walk(item, fmt.Sprintf("%s[%d]", path, i), visit)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			if key == "//" {
				continue
			}
			child := key
			if path != "" {
				child = path + "." + key
			}
			visit(child+" (key)", key)
			walk(v[key], child, visit)
		}
	}
}

// declaredAddresses lists `type.name` of every resource and `data.type.name` of every data source.
func declaredAddresses(config map[string]any) map[string]bool {
	declared := map[string]bool{}
	for _, block := range []string{"resource", "data"} {
		types, _ := config[block].(map[string]any)
		for typeName, names := range types {
			byName, _ := names.(map[string]any)
			for name := range byName {
				if block == "data" {
					declared["data."+typeName+"."+name] = true
				} else {
					declared[typeName+"."+name] = true
				}
			}
		}
	}
	for _, block := range []string{"locals", "variable"} {
		names, _ := config[block].(map[string]any)
		prefix := map[string]string{"locals": "local.", "variable": "var."}[block]
		for name := range names {
			declared[prefix+name] = true
		}
	}
	return declared
}

// undeclared names what OpenTofu's validate would say of a reference to nothing in this stack.
func undeclared(traversal hcl.Traversal, declared map[string]bool) string {
	parts := []string{}
	for _, step := range traversal {
		if len(parts) == 3 {
			break
		}
		switch s := step.(type) {
		case hcl.TraverseRoot:
			parts = append(parts, s.Name)
		case hcl.TraverseAttr:
			parts = append(parts, s.Name)
		}
	}
	root := parts[0]
	switch {
	case root == "data" && len(parts) >= 3:
		if !declared[strings.Join(parts[:3], ".")] {
			return "Reference to undeclared data source"
		}
	case (root == "local" || root == "var") && len(parts) >= 2:
		if !declared[strings.Join(parts[:2], ".")] {
			return "Reference to undeclared " + map[string]string{"local": "local value", "var": "input variable"}[root]
		}
	case builtinRoots[root]:
	case len(parts) < 2:
		return "Invalid reference"
	default:
		if !declared[strings.Join(parts[:2], ".")] {
			return "Reference to undeclared resource"
		}
	}
	return ""
}

func traversalString(traversal hcl.Traversal) string {
	var b strings.Builder
	for _, step := range traversal {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			b.WriteString(s.Name)
		case hcl.TraverseAttr:
			b.WriteString("." + s.Name)
		case hcl.TraverseIndex:
			if s.Key.Type() == cty.Number {
				b.WriteString("[" + s.Key.AsBigFloat().String() + "]")
			} else if s.Key.Type() == cty.String {
				b.WriteString(fmt.Sprintf("[%q]", s.Key.AsString()))
			} else {
				b.WriteString("[?]")
			}
		case hcl.TraverseSplat:
			b.WriteString("[*]")
		}
	}
	return b.String()
}
