package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/viper"
	"github.com/urfave/cli/v2"
	"go.yaml.in/yaml/v3"

	"github.com/capgen/capgen/models"
)

// Settings come from, in rising order: flag defaults, the config file,
// CAPGEN_* environment variables, command-line flags. A setting's name is
// its flag's name (config key "ctx-size", variable CAPGEN_CTX_SIZE).

// config holds the loaded file and environment.
type config struct {
	v    *viper.Viper
	file string     // the file read, "" for none
	doc  *yaml.Node // the file's YAML, for the lines of unknown keys
}

// defaultConfigFile is $XDG_CONFIG_HOME/capgen/config.yaml (or
// ~/.config/capgen/config.yaml).
func defaultConfigFile() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "capgen", "config.yaml")
}

// loadConfig reads path (which must exist) or, when path is empty, the
// default file if it exists.
func loadConfig(path string) (*config, error) {
	v := viper.New()
	v.SetEnvPrefix("CAPGEN")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	cfg := &config{v: v}
	explicit := path != ""
	if !explicit {
		path = defaultConfigFile()
	}
	if path == "" {
		return cfg, nil
	}
	if _, err := os.Stat(path); err != nil {
		if explicit {
			return nil, usagef("--config %s: %v", path, err)
		}
		return cfg, nil
	}
	v.SetConfigFile(path)
	if err := v.ReadInConfig(); err != nil {
		return nil, usagef("config file %s: %v", path, err)
	}
	cfg.file = path
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("config file %s: %v", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, usagef("config file %s: %v", path, err)
	}
	cfg.doc = &doc
	return cfg, nil
}

// sections are the commands that read settings, each of which may have a
// section of its own in the file (describe: {format: jsonl}), so that a
// key meant for one command does not reach another.
var sections = []string{"describe", "regions", "dense", "batch", "bench"}

// check refuses keys in the file that no command knows, naming the file
// and line (and the closest known key), for every command: a misspelt
// setting must not be dropped without a word.
func (cfg *config) check(app *cli.App) error {
	if cfg.doc == nil || len(cfg.doc.Content) == 0 {
		return nil
	}
	root := cfg.doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return usagef("config file %s:%d: want settings as key: value lines", cfg.file, root.Line)
	}
	flagsOf := map[string]map[string]bool{}
	all := map[string]bool{}
	for _, cmd := range app.Commands {
		if !slices.Contains(sections, cmd.Name) {
			continue
		}
		flagsOf[cmd.Name] = map[string]bool{}
		for _, f := range cmd.Flags {
			if n := f.Names()[0]; n != "help" && n != "config" {
				flagsOf[cmd.Name][n] = true
				all[n] = true
			}
		}
	}
	unknown := func(key *yaml.Node, known map[string]bool, where string) error {
		msg := fmt.Sprintf("config file %s:%d: unknown setting %q%s", cfg.file, key.Line, key.Value, where)
		if near := nearest(key.Value, known); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		}
		return usageError{errors.New(msg)}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if known, ok := flagsOf[key.Value]; ok {
			if val.Kind != yaml.MappingNode {
				return usagef("config file %s:%d: section %s: want key: value lines under it", cfg.file, key.Line, key.Value)
			}
			for j := 0; j+1 < len(val.Content); j += 2 {
				if k := val.Content[j]; !known[k.Value] {
					return unknown(k, known, " in section "+key.Value)
				}
			}
			continue
		}
		if !all[key.Value] {
			return unknown(key, all, "")
		}
	}
	return nil
}

// nearest is the known key within two edits of key, or "": among equally
// near keys, the one of key's length, then the first in order.
func nearest(key string, known map[string]bool) string {
	type cand struct {
		k          string
		d, lenDiff int
	}
	best := cand{d: 3}
	for k := range known {
		c := cand{k, models.EditDistance(key, k), abs(len(k) - len(key))}
		if c.d < best.d || c.d == best.d && (c.lenDiff < best.lenDiff || c.lenDiff == best.lenDiff && c.k < best.k) {
			best = c
		}
	}
	return best.k
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// envName is the variable that sets a setting.
func envName(key string) string {
	return "CAPGEN_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// lookup returns a setting from the environment or the file (the
// command's section first), and where it came from. A YAML list is a
// comma list (lang: [de, fr] is lang: de,fr).
func (cfg *config) lookup(command, key string) (value, source string, ok bool) {
	if s, ok := os.LookupEnv(envName(key)); ok {
		return s, "env " + envName(key), true
	}
	if cfg.file == "" {
		return "", "", false
	}
	for _, k := range []string{command + "." + key, key} {
		if command == "" && k != key || !cfg.v.InConfig(k) {
			continue
		}
		if list, ok := cfg.v.Get(k).([]any); ok {
			parts := make([]string, len(list))
			for i, x := range list {
				parts[i] = fmt.Sprint(x)
			}
			return strings.Join(parts, ","), "file " + cfg.file, true
		}
		return cfg.v.GetString(k), "file " + cfg.file, true
	}
	return "", "", false
}

// apply sets every flag of the command that the command line left unset
// from the environment or the config file.
func (cfg *config) apply(c *cli.Context) error {
	if err := cfg.check(c.App); err != nil {
		return err
	}
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if c.IsSet(name) {
			continue
		}
		value, source, ok := cfg.lookup(c.Command.Name, name)
		if !ok {
			continue
		}
		if err := c.Set(name, value); err != nil {
			return usagef("%s: %q is not a valid --%s: %v", source, value, name, err)
		}
	}
	return nil
}

// withConfig makes a command read settings from the config file and the
// environment before its action.
func withConfig(cmd *cli.Command) *cli.Command {
	withHelp(cmd)
	cmd.Before = func(c *cli.Context) error {
		cfg, err := loadConfig(global(c, "config").String("config"))
		if err != nil {
			return err
		}
		return cfg.apply(c)
	}
	return cmd
}

func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "print the effective settings and where each comes from",
		Description: "Settings come from flag defaults, then the config file (--config, or " +
			"$XDG_CONFIG_HOME/capgen/config.yaml), then CAPGEN_* variables, then flags.",
		Action: func(c *cli.Context) error {
			cfg, err := loadConfig(global(c, "config").String("config"))
			if err != nil {
				return err
			}
			return runConfig(c.App, cfg, c.App.Writer)
		},
	}
}

// runConfig lists every flag of the model commands with its effective
// value (flags on the command line of a later command still win).
func runConfig(app *cli.App, cfg *config, w io.Writer) error {
	if cfg.file != "" {
		fmt.Fprintf(w, "config file: %s\n", cfg.file)
	} else {
		fmt.Fprintf(w, "config file: none (looked for %s)\n", defaultConfigFile())
	}
	defaults := map[string]string{}
	for _, cmd := range app.Commands {
		for _, f := range cmd.Flags {
			df, ok := f.(cli.DocGenerationFlag)
			if !ok {
				continue
			}
			name := f.Names()[0]
			if _, seen := defaults[name]; !seen && name != "help" {
				defaults[name] = strings.Trim(df.GetValue(), `"`)
			}
		}
	}
	keys := make([]string, 0, len(defaults))
	for k := range defaults {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		value, source, ok := cfg.lookup("", k)
		if !ok {
			value, source = defaults[k], "default"
		}
		if _, err := fmt.Fprintf(w, "%-12s %-28s %s\n", k, value, source); err != nil {
			return err
		}
	}
	// Keys in the file that no command knows are probably typos.
	return cfg.check(app)
}
