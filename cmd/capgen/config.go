package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/viper"
	"github.com/urfave/cli/v2"
)

// Settings come from, in rising order: flag defaults, the config file,
// CAPGEN_* environment variables, command-line flags. A setting's name is
// its flag's name (config key "ctx-size", variable CAPGEN_CTX_SIZE).

// config holds the loaded file and environment.
type config struct {
	v    *viper.Viper
	file string // the file read, "" for none
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
	return cfg, nil
}

// envName is the variable that sets a setting.
func envName(key string) string {
	return "CAPGEN_" + strings.ToUpper(strings.ReplaceAll(key, "-", "_"))
}

// lookup returns a setting from the environment or the file, and where it
// came from.
func (cfg *config) lookup(key string) (value, source string, ok bool) {
	if s, ok := os.LookupEnv(envName(key)); ok {
		return s, "env " + envName(key), true
	}
	if cfg.file != "" && cfg.v.InConfig(key) {
		return cfg.v.GetString(key), "file " + cfg.file, true
	}
	return "", "", false
}

// apply sets every flag of the command that the command line left unset
// from the environment or the config file.
func (cfg *config) apply(c *cli.Context) error {
	for _, f := range c.Command.Flags {
		name := f.Names()[0]
		if c.IsSet(name) {
			continue
		}
		value, source, ok := cfg.lookup(name)
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
	cmd.Before = func(c *cli.Context) error {
		cfg, err := loadConfig(global(c, "config"))
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
			cfg, err := loadConfig(global(c, "config"))
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
		value, source, ok := cfg.lookup(k)
		if !ok {
			value, source = defaults[k], "default"
		}
		if _, err := fmt.Fprintf(w, "%-12s %-28s %s\n", k, value, source); err != nil {
			return err
		}
	}
	// Keys in the file that no command knows are probably typos.
	if cfg.file != "" {
		var unknown []string
		for _, k := range cfg.v.AllKeys() {
			if _, ok := defaults[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			return usageError{errors.New("config file " + cfg.file + ": unknown settings " + strings.Join(unknown, ", "))}
		}
	}
	return nil
}
