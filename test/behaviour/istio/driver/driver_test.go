package driver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"

	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	"sigs.k8s.io/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
)

const trustDomain = "cluster.local"

// proxyVersion is the Istio version the simulated sidecars report: the version anymesh's output is
// written for (istioAdapter.versions.tested). istiod gates some generated config on it.
const proxyVersion = "1.30.3"

// splitConfig separates Istio resources (for istiod's config store) from Kubernetes objects (for
// its fake Kubernetes registry).
func splitConfig(all string) (istio, kube string, err error) {
	var is, ks []string
	for _, doc := range strings.Split("\n"+all, "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var head struct {
			APIVersion string `json:"apiVersion"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return "", "", fmt.Errorf("document %q: %w", doc, err)
		}
		if head.APIVersion == "" {
			continue // a comment-only document
		}
		if strings.Contains(head.APIVersion, "istio.io/") {
			is = append(is, doc)
		} else {
			ks = append(ks, doc)
		}
	}
	return strings.Join(is, "\n---\n"), strings.Join(ks, "\n---\n"), nil
}

func proxyFor(s *xds.FakeDiscoveryServer, w Workload) *model.Proxy {
	name := w.Name
	if name == "" {
		name = "caller"
	}
	return s.SetupProxy(&model.Proxy{
		ID:              name + "." + w.Namespace,
		IPAddresses:     []string{w.IP},
		ConfigNamespace: w.Namespace,
		Labels:          w.Labels,
		Metadata: &model.NodeMetadata{
			Namespace:    w.Namespace,
			Labels:       w.Labels,
			IstioVersion: proxyVersion,
		},
	})
}

func principalOf(w Workload) string {
	sa := w.ServiceAccount
	if sa == "" {
		sa = "default"
	}
	return fmt.Sprintf("spiffe://%s/ns/%s/sa/%s", trustDomain, w.Namespace, sa)
}

type world struct {
	t         *testing.T
	s         *xds.FakeDiscoveryServer
	sims      map[string]*simulation.Simulation
	waypoints map[string]*model.Proxy
}

func (w *world) sim(wl Workload) *simulation.Simulation {
	labels := make([]string, 0, len(wl.Labels))
	for k, v := range wl.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	key := wl.Namespace + "/" + wl.Name + "/" + wl.IP + "/" + strings.Join(labels, ",")
	if sim, ok := w.sims[key]; ok {
		return sim
	}
	if wl.IP == "" {
		wl.IP = "10.99.0.1"
	}
	sim := simulation.NewSimulation(w.t, w.s, proxyFor(w.s, wl))
	// Istio's own validation of what it generated: an invalid listener or route fails the run.
	xdstest.ValidateListeners(w.t, sim.Listeners)
	xdstest.ValidateRouteConfigurations(w.t, sim.Routes)
	w.sims[key] = sim
	return sim
}

func simCall(c Call, mode simulation.CallMode) simulation.Call {
	h := http.Header{}
	for k, v := range c.Headers {
		h[http.CanonicalHeaderKey(k)] = v
	}
	proto := simulation.HTTP
	if c.Protocol == "tcp" {
		proto = simulation.TCP
	}
	path := c.Path
	if path == "" {
		path = "/"
	}
	return simulation.Call{
		Address:    c.Address,
		Port:       c.Port,
		Path:       path,
		Protocol:   proto,
		HostHeader: c.Host,
		Headers:    h,
		CallMode:   mode,
	}
}

func (w *world) outbound(c Call) Result {
	res := Result{ID: c.ID}
	sim := w.sim(c.From)
	r := sim.Run(simCall(c, simulation.CallModeOutbound))
	res.Listener, res.FilterChain, res.RouteConfig, res.VirtualHost = r.ListenerMatched, r.FilterChainMatched, r.RouteConfigMatched, r.VirtualHostMatched
	if r.Error != nil && !errors.Is(r.Error, simulation.ErrNoRoute) {
		res.Error = r.Error.Error()
		return res
	}
	if c.Protocol == "tcp" {
		res.Cluster = r.ClusterMatched
		return res
	}
	rc := xdstest.ExtractRouteConfigurations(sim.Routes)[r.RouteConfigMatched]
	if rc == nil {
		res.Error = "no route configuration " + r.RouteConfigMatched
		return res
	}
	for _, vh := range rc.GetVirtualHosts() {
		if vh.GetName() != r.VirtualHostMatched {
			continue
		}
		rt, err := firstRoute(vh, newRequest(c))
		if err != nil {
			res.Error = err.Error()
			return res
		}
		if rt == nil {
			res.Error = simulation.ErrNoRoute.Error()
			return res
		}
		if rt.GetDirectResponse() != nil {
			res.DirectResult = fmt.Sprintf("%d", rt.GetDirectResponse().GetStatus())
			res.Route = &Route{Name: rt.GetName()}
			return res
		}
		sum, err := summarise(rt, vh)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		clusters := xdstest.ExtractClusters(sim.Clusters)
		sum.ClusterSettings = map[string]*ClusterSettings{}
		for _, wc := range sum.Clusters {
			c := clusters[wc.Cluster]
			if c == nil {
				res.Error = "no cluster " + wc.Cluster
				return res
			}
			cs, err := summariseCluster(c)
			if err != nil {
				res.Error = err.Error()
				return res
			}
			sum.ClusterSettings[wc.Cluster] = cs
		}
		res.Route = sum
		if len(sum.Clusters) == 1 {
			res.Cluster = sum.Clusters[0].Cluster
		}
		return res
	}
	res.Error = "virtual host " + r.VirtualHostMatched + " not found"
	return res
}

func (w *world) inbound(c Call) Result {
	res := Result{ID: c.ID}
	sim := w.sim(c.To)
	call := simCall(c, simulation.CallModeInbound)
	call.TLS = simulation.MTLS
	if c.Plaintext {
		call.TLS = simulation.Plaintext
	}
	var chain *listener.FilterChain
	call.CustomListenerValidations = []simulation.CustomFilterChainValidation{func(fc *listener.FilterChain) error {
		chain = fc
		return nil
	}}
	r := sim.Run(call)
	res.Listener, res.FilterChain, res.VirtualHost, res.Cluster = r.ListenerMatched, r.FilterChainMatched, r.VirtualHostMatched, r.ClusterMatched
	if r.Error != nil && !errors.Is(r.Error, simulation.ErrNoRoute) {
		res.Error = r.Error.Error()
		return res
	}
	if chain == nil {
		res.Error = "no filter chain captured"
		return res
	}
	in := peer{port: c.Port}
	if !c.Plaintext {
		in.principal = principalOf(c.From)
	}
	conn := xdstest.ExtractHTTPConnectionManager(w.t, chain)
	if conn != nil {
		req := newRequest(c)
		in.http = &req
	}
	authz, err := authorize(chain, conn, in)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.Authz = authz
	return res
}

func analyze(cfg string) ([]Message, []string, error) {
	sa := local.NewSourceAnalyzer(analyzers.AllCombined(), "", "istio-system", nil)
	// The test reader keeps runtime resources (Pods, Namespaces) so the cross-resource analyzers
	// (injection, pod selection, service association) see the workloads.
	if err := sa.AddTestReaderKubeSource([]local.ReaderSource{{Name: "anymesh-case.yaml", Reader: strings.NewReader(cfg)}}); err != nil {
		return nil, nil, err
	}
	cancel := make(chan struct{})
	defer close(cancel)
	result, err := sa.Analyze(cancel)
	if err != nil {
		return nil, nil, err
	}
	out := []Message{}
	for _, m := range result.Messages {
		msg := Message{Code: m.Type.Code(), Level: m.Type.Level().String(), Text: m.String()}
		if m.Resource != nil {
			msg.Resource = m.Resource.Origin.FriendlyName()
		}
		out = append(out, msg)
	}
	return out, result.ExecutedAnalyzers, nil
}

func TestDriver(t *testing.T) {
	inPath, outPath := os.Getenv("ANYMESH_ISTIO_INPUT"), os.Getenv("ANYMESH_ISTIO_OUTPUT")
	if inPath == "" || outPath == "" {
		t.Fatal("set ANYMESH_ISTIO_INPUT (request JSON) and ANYMESH_ISTIO_OUTPUT (answer JSON)")
	}
	raw, err := os.ReadFile(inPath)
	if err != nil {
		t.Fatal(err)
	}
	var in Input
	if err := json.Unmarshal(raw, &in); err != nil {
		t.Fatalf("%s: %v", inPath, err)
	}
	if features.EnableAmbient != in.Ambient {
		t.Fatalf("ambient input needs PILOT_ENABLE_AMBIENT=true and sidecar input its absence (ambient=%v, PILOT_ENABLE_AMBIENT=%v)",
			in.Ambient, features.EnableAmbient)
	}
	var s *xds.FakeDiscoveryServer
	if in.Ambient {
		s = xds.NewFakeDiscoveryServer(t, xds.FakeOptions{ConfigString: in.Config, KubernetesObjectString: in.Config})
	} else {
		istioYAML, kubeYAML, err := splitConfig(in.Config)
		if err != nil {
			t.Fatal(err)
		}
		configs, _, err := crd.ParseInputs(istioYAML)
		if err != nil {
			t.Fatalf("Istio config: %v", err)
		}
		s = xds.NewFakeDiscoveryServer(t, xds.FakeOptions{Configs: configs, KubernetesObjectString: kubeYAML})
	}
	w := &world{t: t, s: s, sims: map[string]*simulation.Simulation{}, waypoints: map[string]*model.Proxy{}}
	out := Output{Results: []Result{}, Messages: []Message{}}
	for _, c := range in.Calls {
		switch c.Mode {
		case "outbound", "":
			out.Results = append(out.Results, w.outbound(c))
		case "inbound":
			out.Results = append(out.Results, w.inbound(c))
		case "ambient", "ztunnel":
			if !in.Ambient {
				t.Fatalf("call %s: mode %s needs ambient input", c.ID, c.Mode)
			}
			out.Results = append(out.Results, w.ambientCall(c))
		default:
			t.Fatalf("call %s: mode %q is neither outbound nor inbound", c.ID, c.Mode)
		}
	}
	if in.Analyze {
		msgs, names, err := analyze(in.Config)
		if err != nil {
			t.Fatalf("analyzers: %v", err)
		}
		out.Messages, out.Analyzers = msgs, names
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(outPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
