package driver

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	k8sgw "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	k8sschema "k8s.io/apimachinery/pkg/runtime/schema"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/simulation"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pilot/test/xdstest"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/analysis/analyzers"
	"istio.io/istio/pkg/config/analysis/local"
	gatewaykube "istio.io/istio/pkg/config/gateway/kube"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/kube/kclient/clienttest"
	"istio.io/istio/pkg/test/util/retry"
	"istio.io/istio/pkg/util/sets"
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

func proxyFor(s *xds.FakeDiscoveryServer, w Workload, typ model.NodeType) *model.Proxy {
	name := w.Name
	if name == "" {
		name = "caller"
	}
	return s.SetupProxy(&model.Proxy{
		Type:            typ,
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
	return w.proxySim(wl, model.SidecarProxy)
}

// proxySim is the simulation of one proxy: a workload's sidecar, or (model.Router) an ingress
// gateway's Envoy as istiod programs a gateway deployment whose pods carry wl's labels.
func (w *world) proxySim(wl Workload, typ model.NodeType) *simulation.Simulation {
	labels := make([]string, 0, len(wl.Labels))
	for k, v := range wl.Labels {
		labels = append(labels, k+"="+v)
	}
	sort.Strings(labels)
	key := string(typ) + "/" + wl.Namespace + "/" + wl.Name + "/" + wl.IP + "/" + strings.Join(labels, ",")
	if sim, ok := w.sims[key]; ok {
		return sim
	}
	if wl.IP == "" {
		wl.IP = "10.99.0.1"
	}
	sim := simulation.NewSimulation(w.t, w.s, proxyFor(w.s, wl, typ))
	// Istio's own validation of what it generated: an invalid listener or route fails the run.
	// Internal listeners (no socket address: an ambient ingress gateway's HBONE plumbing) are left
	// out, as Istio's own waypoint tests leave them: the validator expects socket addresses.
	var socketListeners []*listener.Listener
	for _, l := range sim.Listeners {
		if l.GetAddress().GetSocketAddress() != nil {
			socketListeners = append(socketListeners, l)
		}
	}
	xdstest.ValidateListeners(w.t, socketListeners)
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
	switch c.Protocol {
	case "tcp":
		proto = simulation.TCP
	case "http2", "grpc":
		// Prior-knowledge HTTP/2 (h2c), as a plaintext gRPC client speaks it to its sidecar.
		proto = simulation.HTTP2
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
	return w.routed(w.sim(c.From), c, simulation.CallModeOutbound)
}

// gateway runs a request through ingress gateway From (a Router proxy): it arrives on the listener
// of port Port with Host as its Host header, as a client outside the mesh sends it.
func (w *world) gateway(c Call) Result {
	return w.routed(w.proxySim(c.From, model.Router), c, simulation.CallModeGateway)
}

// routed is what a proxy's HTTP (or TCP) routing does with a call: listener, virtual host, route,
// and the settings of the clusters it sends to.
func (w *world) routed(sim *simulation.Simulation, c Call, mode simulation.CallMode) Result {
	res := Result{ID: c.ID}
	call := simCall(c, mode)
	var chain *listener.FilterChain
	call.CustomListenerValidations = []simulation.CustomFilterChainValidation{func(fc *listener.FilterChain) error {
		chain = fc
		return nil
	}}
	r := sim.Run(call)
	res.Listener, res.FilterChain, res.RouteConfig, res.VirtualHost = r.ListenerMatched, r.FilterChainMatched, r.RouteConfigMatched, r.VirtualHostMatched
	if r.Error != nil && !errors.Is(r.Error, simulation.ErrNoRoute) {
		res.Error = r.Error.Error()
		return res
	}
	clusters := xdstest.ExtractClusters(sim.Clusters)
	if c.Protocol == "tcp" {
		res.Cluster = r.ClusterMatched
		if chain == nil {
			res.Error = "no filter chain captured"
			return res
		}
		if err := w.tcpProxyOf(chain, clusters, &res); err != nil {
			res.Error = err.Error()
		}
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
		req := newRequest(c)
		rt, err := firstRoute(vh, req)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		if rt == nil {
			res.Error = simulation.ErrNoRoute.Error()
			return res
		}
		sum, err := decide(rt, vh, req, &res)
		if err != nil {
			res.Error = err.Error()
			return res
		}
		if sum == nil || sum.Redirect != nil {
			return res
		}
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

// decide reads the route Envoy chose: a direct response (res.DirectResult, nil route), a redirect
// (a Route with Redirect only) or a forwarding route (summarised, with its rewrite). res.Route is set
// to what it returns.
func decide(rt *route.Route, vh *route.VirtualHost, req request, res *Result) (*Route, error) {
	switch {
	case rt.GetDirectResponse() != nil:
		res.DirectResult = fmt.Sprintf("%d", rt.GetDirectResponse().GetStatus())
		res.Route = &Route{Name: rt.GetName()}
		return nil, nil
	case rt.GetRedirect() != nil:
		rd, err := redirectOf(rt, req)
		if err != nil {
			return nil, err
		}
		res.Route = &Route{Name: rt.GetName(), Redirect: rd}
		return res.Route, nil
	}
	sum, err := summarise(rt, vh)
	if err != nil {
		return nil, err
	}
	if sum.Rewrite, err = rewriteOf(rt, req); err != nil {
		return nil, err
	}
	res.Route = sum
	return sum, nil
}

// tcpProxyOf reads the chain's tcp_proxy (clusters, weights, idle timeout) and the settings of the
// clusters it names into res.TCP.
func (w *world) tcpProxyOf(chain *listener.FilterChain, clusters map[string]*cluster.Cluster, res *Result) error {
	p := xdstest.ExtractTCPProxy(w.t, chain)
	if p == nil {
		return fmt.Errorf("filter chain %s has no tcp_proxy", chain.GetName())
	}
	tp, err := summariseTCP(p)
	if err != nil {
		return err
	}
	tp.ClusterSettings = map[string]*ClusterSettings{}
	for _, wc := range tp.Clusters {
		c := clusters[wc.Cluster]
		if c == nil {
			return fmt.Errorf("no cluster %s", wc.Cluster)
		}
		if tp.ClusterSettings[wc.Cluster], err = summariseCluster(c); err != nil {
			return err
		}
	}
	res.TCP = tp
	return nil
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
	// The caller's address, as the server's sidecar sees the connection arrive (source.ipBlocks).
	if c.From.IP != "" {
		ip, err := netip.ParseAddr(c.From.IP)
		if err != nil {
			res.Error = fmt.Sprintf("caller IP %q: %v", c.From.IP, err)
			return res
		}
		in.sourceIP = ip
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
	// The cluster to the application (inbound|port||): istiod picks its protocol from the Service
	// port alone (cluster_builder.go setUpstreamProtocol; applyH2Upgrade is outbound only).
	if r.ClusterMatched != "" {
		ic := xdstest.ExtractClusters(sim.Clusters)[r.ClusterMatched]
		if ic == nil {
			res.Error = "no cluster " + r.ClusterMatched
			return res
		}
		if res.InboundCluster, err = summariseCluster(ic); err != nil {
			res.Error = err.Error()
		}
	}
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

// bundleVersionAnnotation is the annotation Gateway API CRDs carry their release in
// (sigs.k8s.io/gateway-api pkg/consts BundleVersionAnnotation).
const bundleVersionAnnotation = "gateway.networking.k8s.io/bundle-version"

// annotateGatewayCRDs gives the fake cluster's Gateway API CRDs the bundle-version annotation the
// installed CRDs carry (versions: CRD name -> version). istiod watches GRPCRoute, TCPRoute, TLSRoute
// and BackendTLSPolicy only when their CRD's annotation meets gatewayapi.MinimumCRDVersions
// (pkg/kube/kclient/crdwatcher.go minimumVersionFilter); the fake server makes its CRDs without
// annotations, so without this it ignores every GRPCRoute and TCPRoute. It then waits until the
// gateway controller has converted each of those routes and istiod's push context holds the result.
func annotateGatewayCRDs(t *testing.T, s *xds.FakeDiscoveryServer, versions map[string]string) {
	for name, version := range versions {
		resource, group, _ := strings.Cut(name, ".")
		clienttest.MakeCRDWithAnnotations(t, s.KubeClient(), k8sschema.GroupVersionResource{Group: group, Version: "v1", Resource: resource},
			map[string]string{bundleVersionAnnotation: version})
	}
	var want []string
	namespaces := sets.New[string]()
	for _, k := range []config.GroupVersionKind{gvk.GRPCRoute, gvk.TCPRoute} {
		for _, c := range s.Env().ConfigStore.List(k, "") {
			want = append(want, k.Kind+"/"+c.Name+"."+c.Namespace)
			namespaces.Insert(c.Namespace)
		}
	}
	// The Istio Gateways routes are bound to: "mesh" (waypoints) and, for a route with a Gateway
	// parent, the internal Gateway the controller makes of each of that Gateway's listeners.
	bound := []string{"mesh"}
	for _, c := range s.Env().ConfigStore.List(gvk.KubernetesGateway, "") {
		for _, l := range c.Spec.(*k8sgw.GatewaySpec).Listeners {
			bound = append(bound, c.Namespace+"/"+gatewaykube.InternalGatewayName(c.Name, string(l.Name)))
		}
	}
	// Converted, and in the push context the proxies' configuration is generated from (the
	// conversion reaches it through an asynchronous push, which the fake server runs undebounced).
	pushed := func() bool {
		parents := sets.New[string]()
		for ns := range namespaces {
			for _, gw := range bound {
				for _, vs := range s.PushContext().VirtualServicesForGateway(ns, gw) {
					// The gateway controller names a VirtualService's routes in this annotation (Kind/name.namespace,...).
					parents.InsertAll(strings.Split(vs.Annotations["internal.istio.io/parents"], ",")...)
				}
			}
		}
		return parents.ContainsAll(sets.New(want...))
	}
	retry.UntilOrFail(t, pushed, retry.Timeout(30*time.Second), retry.Message(fmt.Sprintf("istiod pushes the conversion of %v", want)))
	s.EnsureSynced(t)
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
	if in.Ambient {
		annotateGatewayCRDs(t, s, in.CRDBundleVersions)
	}
	w := &world{t: t, s: s, sims: map[string]*simulation.Simulation{}, waypoints: map[string]*model.Proxy{}}
	out := Output{Results: []Result{}, Messages: []Message{}}
	for _, c := range in.Calls {
		switch c.Mode {
		case "outbound", "":
			out.Results = append(out.Results, w.outbound(c))
		case "inbound":
			out.Results = append(out.Results, w.inbound(c))
		case "gateway":
			out.Results = append(out.Results, w.gateway(c))
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
