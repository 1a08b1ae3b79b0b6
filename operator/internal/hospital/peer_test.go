package hospital

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"go.yaml.in/yaml/v3"

	"github.com/medledger/medledger/operator/internal/network/pki"
)

func TestPeerConfigMap(t *testing.T) {
	m := model(t, withPeers(3))
	cm, err := PeerConfigMap(m)
	if err != nil {
		t.Fatal(err)
	}
	var core map[string]any
	if err := yaml.Unmarshal([]byte(cm.Data["core.yaml"]), &core); err != nil {
		t.Fatalf("core.yaml: %v", err)
	}
	get := func(path string) any {
		var v any = core
		for _, k := range strings.Split(path, ".") {
			v = v.(map[string]any)[k]
		}
		return v
	}
	for path, want := range map[string]any{
		"peer.localMspId":             "StMarysMSP",
		"peer.mspConfigPath":          "/var/hyperledger/peer/crypto/msp",
		"peer.listenAddress":          "0.0.0.0:7051",
		"peer.tls.enabled":            true,
		"peer.tls.cert.file":          "/var/hyperledger/peer/crypto/tls/server.crt",
		"peer.tls.key.file":           "/var/hyperledger/peer/crypto/tls/server.key",
		"peer.tls.rootcert.file":      "/var/hyperledger/peer/crypto/tls/ca.crt",
		"peer.fileSystemPath":         "/var/hyperledger/production",
		"operations.listenAddress":    "0.0.0.0:9443",
		"vm.endpoint":                 "",
		"peer.gossip.bootstrap":       []any{"st-marys-peer-0.st-marys-peers.care.svc.cluster.local:7051"},
		"ledger.snapshots.rootDir":    "/var/hyperledger/production/snapshots",
		"peer.chaincodeListenAddress": "0.0.0.0:7052",
	} {
		if got := get(path); !equalYAML(got, want) {
			t.Errorf("%s = %#v, want %#v", path, got, want)
		}
	}
	builders := get("chaincode.externalBuilders").([]any)
	if len(builders) != 1 || builders[0].(map[string]any)["path"] != PeerBuilderDir {
		t.Errorf("external builders %v", builders)
	}
	// core.yaml does not depend on the number of peers: scaling must not roll the peers.
	cm1, _ := PeerConfigMap(model(t, withPeers(1)))
	if ConfigHash(cm1) != ConfigHash(cm) {
		t.Error("core.yaml changes with spec.peers.replicas")
	}
}

func equalYAML(a, b any) bool {
	as, _ := yaml.Marshal(a)
	bs, _ := yaml.Marshal(b)
	return string(as) == string(bs)
}

func TestPeerStatefulSet(t *testing.T) {
	tests := []struct {
		name  string
		mods  []hospitalMod
		check func(t *testing.T, s *appsv1.StatefulSet, m *Model)
	}{
		{"defaults", nil, func(t *testing.T, s *appsv1.StatefulSet, m *Model) {
			if *s.Spec.Replicas != 1 || s.Spec.ServiceName != "st-marys-peers" || s.Name != "st-marys-peer" {
				t.Errorf("replicas %d service %q name %q", *s.Spec.Replicas, s.Spec.ServiceName, s.Name)
			}
			if s.Spec.PodManagementPolicy != appsv1.ParallelPodManagement || s.Spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
				t.Errorf("pod management %q update %q", s.Spec.PodManagementPolicy, s.Spec.UpdateStrategy.Type)
			}
			if p := s.Spec.PersistentVolumeClaimRetentionPolicy; p.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType || p.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
				t.Errorf("retention %+v, want volumes kept", p)
			}
			ann := s.Spec.Template.Annotations
			if ann[AnnotationIdentityRevision] != "3" || ann[AnnotationConfigHash] != "cafe" {
				t.Errorf("pod template annotations %v", ann)
			}
			for k, v := range s.Spec.Selector.MatchLabels {
				if s.Spec.Template.Labels[k] != v {
					t.Errorf("selector %s=%s does not match the template", k, v)
				}
			}
			pod := s.Spec.Template.Spec
			if *pod.AutomountServiceAccountToken || *pod.EnableServiceLinks {
				t.Error("peers should get no service account token and no service links")
			}
			sc := pod.SecurityContext
			if !*sc.RunAsNonRoot || *sc.RunAsUser != 1000 || *sc.FSGroup != 1000 || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
				t.Errorf("pod security context %+v", sc)
			}
			for _, c := range append(pod.InitContainers, pod.Containers...) {
				csc := c.SecurityContext
				if *csc.AllowPrivilegeEscalation || !*csc.ReadOnlyRootFilesystem || csc.Capabilities.Drop[0] != "ALL" {
					t.Errorf("container %s security context %+v", c.Name, csc)
				}
				if c.Image != "hyperledger/fabric-peer:3.1.1" {
					t.Errorf("container %s image %q", c.Name, c.Image)
				}
			}
			term := pod.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm
			if term.TopologyKey != corev1.LabelHostname || term.LabelSelector.MatchLabels[LabelComponent] != ComponentPeer {
				t.Errorf("anti-affinity %+v", term)
			}
			peer := pod.Containers[0]
			for _, p := range []*corev1.Probe{peer.StartupProbe, peer.ReadinessProbe, peer.LivenessProbe} {
				if p.HTTPGet == nil || p.HTTPGet.Path != "/healthz" || p.HTTPGet.Port.StrVal != "operations" {
					t.Errorf("probe %+v, want GET /healthz on the operations port", p.ProbeHandler)
				}
			}
			if peer.Ports[1].Name != "operations" || peer.Ports[1].ContainerPort != 9443 {
				t.Errorf("ports %+v", peer.Ports)
			}
			for name, want := range map[string]string{
				"FABRIC_CFG_PATH":                   "/etc/hyperledger/fabric",
				"CORE_PEER_ADDRESS":                 "$(POD_NAME).st-marys-peers.care.svc.cluster.local:7051",
				"CORE_PEER_GOSSIP_EXTERNALENDPOINT": "$(POD_NAME).st-marys-peers.care.svc.cluster.local:7051",
				BuilderConfigEnv:                    `{"address":"st-marys-wasmcc.care.svc.cluster.local:9999","peername":"$(POD_NAME)"}`,
			} {
				if got, _ := envValue(peer.Env, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			if peer.Env[0].Name != "POD_NAME" || peer.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.name" {
				t.Error("POD_NAME must come first: later variables expand it")
			}
			mounts := map[string]corev1.VolumeMount{}
			for _, vm := range peer.VolumeMounts {
				mounts[vm.Name] = vm
			}
			if _, ok := mounts["identity"]; ok {
				t.Error("the peer container mounts every peer's keys; only the init container may")
			}
			if mounts[PeerVolumeName].MountPath != PeerDataDir || !mounts["crypto"].ReadOnly || !mounts["config"].ReadOnly {
				t.Errorf("peer mounts %+v", mounts)
			}
			claim := s.Spec.VolumeClaimTemplates[0]
			if claim.Name != PeerVolumeName || claim.Spec.Resources.Requests.Storage().String() != "10Gi" || claim.Spec.StorageClassName != nil {
				t.Errorf("claim %+v", claim.Spec)
			}
			if claim.Labels[LabelHospital] != "st-marys" {
				t.Error("claims must carry the hospital label so a deletion can find them")
			}
		}},
		{"resources, storage, external, delete data", []hospitalMod{
			withPeers(3), withPeerResources("500m", "1Gi"), withStorage("20Gi", "fast"), withExternal("fabric.example.org"),
			withAnnotation(AnnotationOnDelete, OnDeleteDelete), withFabric("", "2.5.9"),
		}, func(t *testing.T, s *appsv1.StatefulSet, m *Model) {
			peer := s.Spec.Template.Spec.Containers[0]
			if *s.Spec.Replicas != 3 || peer.Image != "hyperledger/fabric-peer:2.5.9" {
				t.Errorf("replicas %d image %q", *s.Spec.Replicas, peer.Image)
			}
			if peer.Resources.Requests.Cpu().String() != "500m" || peer.Resources.Requests.Memory().String() != "1Gi" {
				t.Errorf("resources %+v", peer.Resources)
			}
			if got, _ := envValue(peer.Env, "CORE_PEER_GOSSIP_EXTERNALENDPOINT"); got != "$(POD_NAME).fabric.example.org:443" {
				t.Errorf("gossip external endpoint %q", got)
			}
			claim := s.Spec.VolumeClaimTemplates[0]
			if claim.Spec.Resources.Requests.Storage().String() != "20Gi" || *claim.Spec.StorageClassName != "fast" {
				t.Errorf("claim %+v", claim.Spec)
			}
			if s.Spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
				t.Error("on-delete: Delete should delete the claims with the StatefulSet")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := model(t, tt.mods...)
			tt.check(t, PeerStatefulSet(m, "cafe", 3), m)
		})
	}
}

// TestPeerStatefulSet_InitScript runs the init container's script with /bin/sh on the files the identity volume
// would hold, and checks the result is the MSP and TLS layout core.yaml points at, with this pod's credentials.
func TestPeerStatefulSet_InitScript(t *testing.T) {
	m := model(t, withPeers(2))
	id := issued(t, m)
	peers, err := PeerIdentitySecret(m, id)
	if err != nil {
		t.Fatal(err)
	}
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "crypto")
	for _, s := range []*corev1.Secret{peers, CACertsSecret(m, id.CA)} {
		for k, v := range s.Data {
			if err := os.WriteFile(filepath.Join(src, k), v, 0o440); err != nil {
				t.Fatal(err)
			}
		}
	}
	init := PeerStatefulSet(m, "", 1).Spec.Template.Spec.InitContainers[0]
	script := strings.NewReplacer(PeerIdentityDir, src, PeerCryptoDir, dst).Replace(init.Command[2])
	cmd := exec.Command(init.Command[0], init.Command[1], script)
	cmd.Env = []string{"POD_NAME=st-marys-peer-1"}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("init script: %v\n%s", err, out)
	}
	read := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join(dst, p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sign, err := pki.ParseKeyPair(read("msp/signcerts/cert.pem"), read("msp/keystore/priv_sk"))
	if err != nil || !sign.Cert.Equal(id.Peers[1].Identity.Cert) {
		t.Fatalf("signing identity is not peer 1's: %v", err)
	}
	tls, err := pki.ParseKeyPair(read("tls/server.crt"), read("tls/server.key"))
	if err != nil || !tls.Cert.Equal(id.Peers[1].TLS.Cert) {
		t.Fatalf("TLS pair is not peer 1's: %v", err)
	}
	ca, err := pki.ParseCert(read("msp/cacerts/ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	tlsCA, err := pki.ParseCert(read("tls/ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	org, _ := pki.NewOrgFromCAs(m.MSPID, m.Org.Domain, &pki.CA{Cert: ca}, &pki.CA{Cert: tlsCA}, pki.Settings{})
	if role, err := org.VerifyIdentity(sign.Cert, epoch.Add(time.Hour)); err != nil || role != pki.RolePeer {
		t.Errorf("signing certificate against msp/cacerts: role %q, %v", role, err)
	}
	if !strings.Contains(string(read("msp/config.yaml")), "cacerts/ca.crt") {
		t.Error("msp/config.yaml does not name cacerts/ca.crt")
	}
	for _, p := range []string{"msp/keystore/priv_sk", "tls/server.key"} {
		if fi, _ := os.Stat(filepath.Join(dst, p)); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	// A pod whose credentials are not in the Secret yet fails, and the kubelet retries it.
	cmd = exec.Command(init.Command[0], init.Command[1], script)
	cmd.Env = []string{"POD_NAME=st-marys-peer-5"}
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("init script succeeded for a pod without credentials:\n%s", out)
	}
}
