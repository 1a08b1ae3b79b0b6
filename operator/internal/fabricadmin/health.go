package fabricadmin

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Health asks a peer's or orderer's operations service (baseURL such as "http://127.0.0.1:9443") whether the
// node is healthy: GET /healthz answers 200 when every registered health checker passes. client nil means
// http.DefaultClient; pass one with TLS settings when the operations listener uses TLS.
//
// # Errors
//   - the endpoint is unreachable (the node is down or still starting);
//   - the node answers 503: the message holds its failed checks.
func Health(ctx context.Context, client *http.Client, baseURL string) error {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+"/healthz", nil)
	if err != nil {
		return fmt.Errorf("fabricadmin: health: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("fabricadmin: health of %s: %w", baseURL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 16<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("fabricadmin: %s is unhealthy: HTTP %d: %s", baseURL, resp.StatusCode, strings.TrimSpace(string(body)))
	}
	return nil
}
