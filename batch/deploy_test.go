package batch_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/capgen/capgen/batch"
)

// The example manifests in docs/deploy parse into the Kubernetes API types
// (unknown fields are errors), and each one's shard count agrees with its
// number of pods or tasks, whose shards cover a collection exactly once.
func TestDeployManifests(t *testing.T) {
	shards := func(n int) {
		t.Helper()
		var paths []string
		for i := range 500 {
			paths = append(paths, fmt.Sprintf("photos/%03d.jpg", i))
		}
		seen := map[string]bool{}
		for k := range n {
			for _, p := range batch.Shard(paths, k, n) {
				require.False(t, seen[p], p)
				seen[p] = true
			}
		}
		require.Len(t, seen, len(paths))
	}

	raw, err := os.ReadFile(filepath.Join("..", "docs", "deploy", "k8s-indexed-job.yaml"))
	require.NoError(t, err)
	var job batchv1.Job
	require.NoError(t, yaml.UnmarshalStrict(raw, &job))
	assert.Equal(t, "Job", job.Kind)
	require.NotNil(t, job.Spec.CompletionMode)
	assert.Equal(t, batchv1.IndexedCompletion, *job.Spec.CompletionMode)
	require.NotNil(t, job.Spec.Completions)
	n := int(*job.Spec.Completions)
	require.NotNil(t, job.Spec.Parallelism)
	assert.Equal(t, n, int(*job.Spec.Parallelism))
	cmd := strings.Join(job.Spec.Template.Spec.Containers[0].Args, " ")
	assert.Contains(t, cmd, fmt.Sprintf(`--shard "${JOB_COMPLETION_INDEX}/%d"`, n))
	assert.Contains(t, cmd, "${JOB_COMPLETION_INDEX}.jsonl", "one journal per pod")
	shards(n)

	script := filepath.Join("..", "docs", "deploy", "slurm-array.sh")
	out, err := exec.Command("bash", "-n", script).CombinedOutput()
	require.NoError(t, err, "%s", out)
	raw, err = os.ReadFile(script)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^#SBATCH --array=0-(\d+)$`).FindSubmatch(raw)
	require.NotNil(t, m, "no --array=0-M line")
	last, _ := strconv.Atoi(string(m[1]))
	m = regexp.MustCompile(`(?m)^shards=(\d+)`).FindSubmatch(raw)
	require.NotNil(t, m, "no shards=N line")
	n, _ = strconv.Atoi(string(m[1]))
	assert.Equal(t, last+1, n, "the array's tasks and the shard count")
	assert.Contains(t, string(raw), `--shard "${SLURM_ARRAY_TASK_ID}/${shards}"`)
	shards(n)
}
