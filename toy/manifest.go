package toy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestFile is the name of the manifest next to the model files.
const ManifestFile = "manifest.json"

// Manifest describes a trained toy model: how it was made and how well it
// captions through capgen's pipeline.
type Manifest struct {
	Model  string `json:"model"`
	MMProj string `json:"mmproj"`
	// TemplatesHash is TemplatesHash() when the model was trained: the
	// prompts it learned.
	TemplatesHash string   `json:"templates_hash"`
	RegionWords   int      `json:"region_words"`
	Languages     []string `json:"languages"`
	Training      Training `json:"training"`
	// Accuracy is filled in by cmd/toyeval.
	Accuracy *Accuracy `json:"accuracy,omitempty"`
	// Check is the agreement of the PyTorch network and llama.cpp on one
	// fixed input, from cmd/toyeval.
	Check *Check `json:"check,omitempty"`
}

// Training records the training run.
type Training struct {
	Seed         int     `json:"seed"`
	Steps        int     `json:"steps"`
	Batch        int     `json:"batch"`
	LR           float64 `json:"lr"`
	Minutes      float64 `json:"minutes"`
	Parameters   int     `json:"parameters"`
	FinalLoss    float64 `json:"final_loss"`
	Data         string  `json:"data"`
	Architecture string  `json:"architecture"`
	// Vision is stage 1: the vision tower trained alone on per-cell
	// labels, then frozen for the language model's training (the fields
	// above).
	Vision *VisionStage `json:"vision_stage,omitempty"`
}

// VisionStage is the record of train.py's first stage.
type VisionStage struct {
	Steps   int     `json:"steps"`
	Batch   int     `json:"batch"`
	LR      float64 `json:"lr"`
	Minutes float64 `json:"minutes"`
	// HeldOut is PyTorch's accuracy of the slot classifiers on held-out
	// training samples: per slot, and every slot of a sample right.
	HeldOut map[string]float64 `json:"held_out_accuracy"`
}

// Accuracy is exact-match accuracy through the llama.cpp pipeline on
// freshly rendered scenes (seeds disjoint from the training data).
type Accuracy struct {
	Method string `json:"method"`
	// PerLanguage maps a language to its scores by kind ("scene",
	// "object", "cell").
	PerLanguage map[string]map[string]Score `json:"per_language"`
}

// Score is exact matches out of a count, and the fraction of objects
// named right (from scene.Parse).
type Score struct {
	N       int     `json:"n"`
	Exact   float64 `json:"exact"`
	Objects float64 `json:"objects,omitempty"`
}

// Check is the logits check's result.
type Check struct {
	Input string `json:"input"`
	// EmbeddingMaxAbsDiff is the largest difference between the image
	// embeddings of PyTorch and of llama.cpp (clip.cpp's preprocessing and
	// encoder), EmbeddingMaxAbs the largest embedding value, Tolerance the
	// allowed difference.
	EmbeddingMaxAbsDiff float64 `json:"embedding_max_abs_diff"`
	EmbeddingMaxAbs     float64 `json:"embedding_max_abs"`
	Tolerance           float64 `json:"tolerance"`
	// GreedyEqual counts languages whose greedy token sequence is the
	// same in PyTorch and llama.cpp (prompt tokens checked equal too).
	GreedyEqual int    `json:"greedy_equal"`
	Languages   int    `json:"languages"`
	Note        string `json:"note"`
}

// LoadManifest reads dir's manifest.
func LoadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("toy: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("toy: %s: %w", ManifestFile, err)
	}
	return &m, nil
}

// Save writes the manifest into dir.
func (m *Manifest) Save(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'), 0o644)
}
