package driver

// Normalises a matched Envoy route into Route: the fields anymesh's policies talk about (weights,
// timeout, retries, fault, mirrors, header operations, CORS), read from the route as istiod built
// it (route action, request/response header options, typed_per_filter_config of the fault and CORS
// filters), so the tests compare plain values.

import (
	"fmt"
	"strings"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	cors "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/cors/v3"
	fault "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/fault/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"
)

func ms(d *durationpb.Duration) *int64 {
	if d == nil {
		return nil
	}
	v := d.AsDuration().Milliseconds()
	return &v
}

func percent(f *typev3.FractionalPercent) float64 {
	if f == nil {
		// Envoy's default for an unset fractional percent is 100%.
		return 100
	}
	den := map[typev3.FractionalPercent_DenominatorType]float64{
		typev3.FractionalPercent_HUNDRED:      100,
		typev3.FractionalPercent_TEN_THOUSAND: 10_000,
		typev3.FractionalPercent_MILLION:      1_000_000,
	}[f.GetDenominator()]
	return float64(f.GetNumerator()) * 100 / den
}

func headerOps(add []*core.HeaderValueOption, remove []string) []HeaderOp {
	var out []HeaderOp
	for _, h := range add {
		action := h.GetAppendAction().String()
		// The deprecated `append` flag overrides append_action when set (false = overwrite).
		if h.GetAppend() != nil && !h.GetAppend().GetValue() {
			action = core.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD.String()
		}
		out = append(out, HeaderOp{Name: h.GetHeader().GetKey(), Value: h.GetHeader().GetValue(), Action: action})
	}
	for _, name := range remove {
		out = append(out, HeaderOp{Name: name, Action: "REMOVE"})
	}
	return out
}

// unwrap returns the filter config, looking through a route.v3.FilterConfig wrapper.
func unwrap(a *anypb.Any, into proto.Message) error {
	fc := &route.FilterConfig{}
	if a.MessageIs(fc) {
		if err := a.UnmarshalTo(fc); err != nil {
			return err
		}
		a = fc.GetConfig()
	}
	return a.UnmarshalTo(into)
}

func summarise(rt *route.Route, vh *route.VirtualHost) (*Route, error) {
	out := &Route{Name: rt.GetName()}
	action := rt.GetRoute()
	if action == nil {
		return nil, fmt.Errorf("route %q is not a forwarding route (%T)", rt.GetName(), rt.GetAction())
	}
	switch c := action.GetClusterSpecifier().(type) {
	case *route.RouteAction_Cluster:
		out.Clusters = []WeightedTo{{Cluster: c.Cluster, Weight: 100}}
	case *route.RouteAction_WeightedClusters:
		for _, wc := range c.WeightedClusters.GetClusters() {
			out.Clusters = append(out.Clusters, WeightedTo{Cluster: wc.GetName(), Weight: wc.GetWeight().GetValue()})
			// Istio puts per-destination header operations on the weighted cluster.
			out.RequestHeaders = append(out.RequestHeaders, headerOps(wc.GetRequestHeadersToAdd(), wc.GetRequestHeadersToRemove())...)
			out.ResponseHeaders = append(out.ResponseHeaders, headerOps(wc.GetResponseHeadersToAdd(), wc.GetResponseHeadersToRemove())...)
		}
	default:
		return nil, fmt.Errorf("route %q: unsupported cluster specifier %T", rt.GetName(), c)
	}
	out.TimeoutMs = ms(action.GetTimeout())
	out.HashPolicies = hashPolicies(action)
	if rp := action.GetRetryPolicy(); rp != nil {
		out.Retry = &Retry{
			RetryOn:              rp.GetRetryOn(),
			NumRetries:           rp.GetNumRetries().GetValue(),
			PerTryTimeoutMs:      ms(rp.GetPerTryTimeout()),
			BackoffBaseMs:        ms(rp.GetRetryBackOff().GetBaseInterval()),
			BackoffMaxMs:         ms(rp.GetRetryBackOff().GetMaxInterval()),
			RetriableStatusCodes: rp.GetRetriableStatusCodes(),
		}
	}
	for _, m := range action.GetRequestMirrorPolicies() {
		out.Mirrors = append(out.Mirrors, Mirror{Cluster: m.GetCluster(), Percent: percent(m.GetRuntimeFraction().GetDefaultValue())})
	}
	out.RequestHeaders = append(out.RequestHeaders, headerOps(rt.GetRequestHeadersToAdd(), rt.GetRequestHeadersToRemove())...)
	out.ResponseHeaders = append(out.ResponseHeaders, headerOps(rt.GetResponseHeadersToAdd(), rt.GetResponseHeadersToRemove())...)
	// Virtual-host level operations apply to every route of the host.
	out.RequestHeaders = append(out.RequestHeaders, headerOps(vh.GetRequestHeadersToAdd(), vh.GetRequestHeadersToRemove())...)
	out.ResponseHeaders = append(out.ResponseHeaders, headerOps(vh.GetResponseHeadersToAdd(), vh.GetResponseHeadersToRemove())...)

	for name, cfg := range rt.GetTypedPerFilterConfig() {
		switch {
		case strings.HasSuffix(name, "fault"):
			f := &fault.HTTPFault{}
			if err := unwrap(cfg, f); err != nil {
				return nil, fmt.Errorf("route %q fault: %w", rt.GetName(), err)
			}
			out.Fault = &Fault{}
			if d := f.GetDelay(); d != nil {
				out.Fault.DelayMs = ms(d.GetFixedDelay())
				p := percent(d.GetPercentage())
				out.Fault.DelayPercent = &p
			}
			if a := f.GetAbort(); a != nil {
				switch e := a.GetErrorType().(type) {
				case *fault.FaultAbort_HttpStatus:
					out.Fault.AbortHTTP = &e.HttpStatus
				case *fault.FaultAbort_GrpcStatus:
					out.Fault.AbortGRPC = &e.GrpcStatus
				default:
					return nil, fmt.Errorf("route %q: unsupported abort %T", rt.GetName(), e)
				}
				p := percent(a.GetPercentage())
				out.Fault.AbortPercent = &p
			}
		case strings.HasSuffix(name, "cors"):
			c := &cors.CorsPolicy{}
			if err := unwrap(cfg, c); err != nil {
				return nil, fmt.Errorf("route %q cors: %w", rt.GetName(), err)
			}
			out.Cors = &Cors{
				AllowMethods:  c.GetAllowMethods(),
				AllowHeaders:  c.GetAllowHeaders(),
				ExposeHeaders: c.GetExposeHeaders(),
				MaxAge:        c.GetMaxAge(),
			}
			for _, o := range c.GetAllowOriginStringMatch() {
				out.Cors.AllowOrigins = append(out.Cors.AllowOrigins, describeStringMatch(o))
			}
			if c.GetAllowCredentials() != nil {
				v := c.GetAllowCredentials().GetValue()
				out.Cors.AllowCredentials = &v
			}
		default:
			if out.Extra == nil {
				out.Extra = map[string]bool{}
			}
			out.Extra[name] = true
		}
	}
	return out, nil
}

// describeStringMatch writes a StringMatcher as "exact:v", "prefix:v", "suffix:v" or "regex:v".
func describeStringMatch(m *matcher.StringMatcher) string {
	switch p := m.GetMatchPattern().(type) {
	case *matcher.StringMatcher_Exact:
		return "exact:" + p.Exact
	case *matcher.StringMatcher_Prefix:
		return "prefix:" + p.Prefix
	case *matcher.StringMatcher_Suffix:
		return "suffix:" + p.Suffix
	case *matcher.StringMatcher_SafeRegex:
		return "regex:" + p.SafeRegex.GetRegex()
	case *matcher.StringMatcher_Contains:
		return "contains:" + p.Contains
	}
	return m.String()
}
