package devnet

import (
	"fmt"
	"io"
)

// report prints where everything is: endpoints, MSP IDs and credential paths. Only paths, never key material.
func (d *Devnet) report(w io.Writer) {
	fmt.Fprintf(w, "\nchannel %s, work dir %s\n", d.st.Channel, d.st.Dir)
	for _, o := range d.st.Orgs {
		kind := "hospital"
		if o.Orderer {
			kind = "orderer org"
		}
		fmt.Fprintf(w, "  %s (%s, %s)\n", o.MSPID, kind, o.Domain)
		fmt.Fprintf(w, "    TLS CA        %s\n", o.TLSCACert)
		fmt.Fprintf(w, "    admin         %s (cert %s, key %s)\n", o.Admin.Name, o.Admin.Cert, o.Admin.Key)
		if o.User != nil {
			fmt.Fprintf(w, "    client user   %s (cert %s, key %s)\n", o.User.Name, o.User.Cert, o.User.Key)
		}
		for _, n := range d.st.Nodes {
			if n.Org != o.MSPID {
				continue
			}
			fmt.Fprintf(w, "    %-8s %-36s grpcs://%s", n.Kind, n.Name, n.Address)
			if n.AdminAddress != "" {
				fmt.Fprintf(w, "  admin https://%s", n.AdminAddress)
			}
			if n.Operations != "" {
				fmt.Fprintf(w, "  health http://%s/healthz", n.Operations)
			}
			fmt.Fprintln(w)
		}
	}
	for _, c := range d.st.Chaincodes {
		fmt.Fprintf(w, "  chaincode %s seq %d, package %s, server %s\n", c.Name, c.Sequence, c.PackageID, c.Address)
	}
	fmt.Fprintln(w)
}
