// Package envoy holds warden's Envoy configurations and loads them the way Envoy does:
// YAML into the v3 protos, strictly, with every google.protobuf.Any resolved to a registered
// extension type and every message checked against its protoc-gen-validate rules.
//
// The embedded bootstrap (bootstrap.yaml, used by docker-compose.yml) is the one source of truth
// for the ext_proc settings warden relies on: DefaultExtProcFilter returns its ext_proc filter,
// which warden's Envoy emulator uses for its processing modes.
package envoy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protopath"
	"google.golang.org/protobuf/reflect/protorange"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
	"gopkg.in/yaml.v3"
)

// ErrInvalidConfig is wrapped by every error about the content of a configuration (YAML syntax,
// unknown field or type, failed validation rule), so callers can tell bad input from a bug.
var ErrInvalidConfig = errors.New("invalid Envoy configuration")

// LoadBootstrap parses an Envoy bootstrap in YAML (or JSON) as Envoy would: unknown fields,
// bad enum names, bad durations and unregistered "@type" URLs are errors, and the bootstrap and
// every typed_config inside it must pass their validation rules.
func LoadBootstrap(yamlBytes []byte) (*bootstrapv3.Bootstrap, error) {
	b := &bootstrapv3.Bootstrap{}
	if err := Unmarshal(yamlBytes, b); err != nil {
		return nil, fmt.Errorf("load bootstrap: %w", err)
	}
	if err := Validate(b); err != nil {
		return nil, fmt.Errorf("load bootstrap: %w", err)
	}
	return b, nil
}

// Unmarshal decodes one YAML (or JSON) document into m using the proto3 JSON mapping, as
// Envoy's own YAML loader does. It does not run validation rules; see Validate.
func Unmarshal(yamlBytes []byte, m proto.Message) error {
	js, err := yamlToJSON(yamlBytes)
	if err != nil {
		return err
	}
	if err := (protojson.UnmarshalOptions{}).Unmarshal(js, m); err != nil {
		return fmt.Errorf("%w: %s: %s (check the field names and \"@type\" URLs against Envoy's v3 API)",
			ErrInvalidConfig, m.ProtoReflect().Descriptor().FullName(), describePosition(err.Error(), js))
	}
	return nil
}

// Validate runs m's validation rules and those of every message packed in a
// google.protobuf.Any inside it (generated ValidateAll stops at Any fields). An Any whose type
// is not registered is an error naming its type URL.
func Validate(m proto.Message) error {
	if v, ok := m.(interface{ ValidateAll() error }); ok {
		if err := v.ValidateAll(); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalidConfig, m.ProtoReflect().Descriptor().FullName(), err)
		}
	}
	anyName := (&anypb.Any{}).ProtoReflect().Descriptor().FullName()
	return protorange.Range(m.ProtoReflect(), func(p protopath.Values) error {
		last := p.Index(-1)
		if last.Value.Interface() == nil {
			return nil
		}
		msg, ok := last.Value.Interface().(protoreflect.Message)
		if !ok || msg.Descriptor().FullName() != anyName {
			return nil
		}
		a := &anypb.Any{}
		proto.Merge(a, msg.Interface())
		inner, err := a.UnmarshalNew()
		if err != nil {
			return fmt.Errorf("%w: %s: typed_config %q: %w (is the extension compiled in? see extensions.go)",
				ErrInvalidConfig, pathString(p), a.GetTypeUrl(), err)
		}
		if v, ok := inner.(interface{ ValidateAll() error }); ok {
			if err := v.ValidateAll(); err != nil {
				return fmt.Errorf("%w: %s (%s): %w", ErrInvalidConfig, pathString(p), a.GetTypeUrl(), err)
			}
		}
		return nil
	})
}

// pathString renders a protorange path like ".static_resources.listeners[0]…"; the root step
// is left out because the caller names the message type already.
func pathString(p protopath.Values) string {
	if len(p.Path) <= 1 {
		return "(root)"
	}
	return p.Path[1:].String()
}

// yamlToJSON converts exactly one YAML document to JSON. Mapping keys must be scalars; they
// become strings as in Envoy's loader.
func yamlToJSON(in []byte) ([]byte, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in))
	var doc any
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty document", ErrInvalidConfig)
		}
		return nil, fmt.Errorf("%w: YAML: %w", ErrInvalidConfig, err)
	}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: more than one YAML document; an Envoy config is a single document", ErrInvalidConfig)
	}
	j, err := jsonValue(doc, "")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	out, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return out, nil
}

// jsonValue turns what yaml.v3 decodes into values encoding/json accepts.
func jsonValue(v any, at string) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			c, err := jsonValue(e, at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			ks, err := scalarKey(k, at)
			if err != nil {
				return nil, err
			}
			c, err := jsonValue(e, at+"."+ks)
			if err != nil {
				return nil, err
			}
			out[ks] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := jsonValue(e, at+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return nil, fmt.Errorf("%s: %v is not a number JSON can carry", at, t)
		}
		return t, nil
	case time.Time:
		return t.Format(time.RFC3339Nano), nil
	default:
		return t, nil
	}
}

func scalarKey(k any, at string) (string, error) {
	switch t := k.(type) {
	case string:
		return t, nil
	case int, int64, uint64, bool, float64:
		return fmt.Sprint(t), nil
	case nil:
		return "", fmt.Errorf("%s: empty mapping key", at)
	default:
		return "", fmt.Errorf("%s: mapping key of type %T; keys must be plain strings", at, k)
	}
}
