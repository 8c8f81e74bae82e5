package caption

import (
	"context"
	"fmt"

	"github.com/capgen/capgen/llama"
)

// The scheduler's vocabulary, from the request down:
//
//   - a job is the work of one request (its steps run one after another);
//   - a group is one step of a job: outputs asked together (the first
//     answers of an image's languages, their strict retries, a pivot's
//     translations); when all are answered, its then gives the next step;
//   - a unit is what the scheduler starts and frees as a whole: one shared
//     prefix (an image) and the branches that continue it;
//   - a branch is one output's own prompt after the prefix, generated in
//     its own sequence;
//   - a feed gives the scheduler new units while it runs.
//
// The strategy flows (flows.go) turn requests into groups and units; the
// scheduler knows nothing of languages or strategies.

// A unit is one shared prefix (an image with the text before it, or
// nothing for text-only prompts) and the outputs that continue it: the
// scheduler starts, runs and frees it as a whole.
type unit struct {
	image  *llama.Image // nil for text-only prompts
	prefix string       // chat text up to and including the media marker
	// tokens is an estimate of the prefix's KV cells, for packing rounds.
	tokens   int
	branches []*branch
}

// job returns the job the unit belongs to.
func (u *unit) job() *job { return u.branches[0].group.job }

// A branch is one output: the text after the prefix (a language's
// instruction and the chat template's end), generated in its own sequence.
type branch struct {
	suffix    string
	maxTokens int
	stop      []string
	force     []llama.Token // scored, not generated (grounding)
	sampling  llama.Sampling
	onText    func(string) bool
	result    llama.Completion
	prompt    int // prompt tokens of the suffix
	group     *group
}

// A group is the outputs asked together in one step of a job (the first
// answers of an image's languages, their strict retries, a pivot's
// translations). When all its branches are answered, its outputs are
// cleaned and checked, and then gives the job's next units of work.
type group struct {
	job    *job
	outs   []*output
	bs     []*branch
	strict bool
	left   int // branches not answered yet
	then   func() ([]*unit, error)
}

// A job is the work of one request in a run. A failed job's other units
// are dropped and its later steps never run; the others go on.
type job struct {
	err    error
	onFail func(error)     // called once, on the first failure
	ctx    context.Context // the request's own (WithContext); nil: none
}

// gone reports a failed job, failing it first when its request's context
// is done.
func (j *job) gone() bool {
	if j.err == nil && j.ctx != nil && j.ctx.Err() != nil {
		j.fail(j.ctx.Err())
	}
	return j.err != nil
}

// onText is b's OnText for llama, which also stops the branch once its
// job is gone (a cancelled request, or another branch's failure).
func (b *branch) llamaOnText() func(string) bool {
	j := b.group.job
	if j.ctx == nil {
		return b.onText
	}
	return func(p string) bool {
		if j.gone() {
			return false
		}
		return b.onText == nil || b.onText(p)
	}
}

// fail records the job's first failure.
func (j *job) fail(err error) {
	if j.err != nil {
		return
	}
	j.err = err
	if j.onFail != nil {
		j.onFail(err)
	}
}

// then calls next, or gives no units when it is nil.
func then(next func() ([]*unit, error)) ([]*unit, error) {
	if next == nil {
		return nil, nil
	}
	return next()
}

// A feed gives a run its units of work while it runs. next returns the
// units ready now; with wait it blocks until there are some or none will
// come. more is false once nothing more will come. ready says without
// blocking whether next has something (nil: never ask between steps).
type feed struct {
	next  func(wait bool) (units []*unit, more bool)
	ready func() bool
}

// fixed is a feed of the given units.
func fixed(units []*unit) feed {
	return feed{next: func(bool) ([]*unit, bool) {
		it := units
		units = nil
		return it, false
	}}
}

// scheduler runs the units of work that a feed gives in one continuous
// batch on one context: units (an image prefix with the outputs that
// continue it) start while their sequences and KV cells fit; each unit
// appends its prefix once, forks it to its branches, and its branches join
// the running decode. When the last branch of a unit finishes, its
// sequences and cells are freed and the next waiting unit starts at once,
// so a long caption never holds the others back (llama.Context.GenerateWith
// with Refill). When a group of outputs is answered, its next step (a
// strict retry, a translation) goes to the front of the queue; new work is
// taken from the feed whenever the queue is empty and a sequence is free.
//
// A unit that can never fit fails its job alone; an error of the batch
// itself (a failed decode, a cancelled ctx) ends the run with it.
type scheduler struct {
	e      *Engine
	ctx    context.Context
	lc     *llama.Context
	src    feed
	maxSeq int // sequences of the context
	budget int // KV cells of the context

	queue   []*unit // waiting, in order
	free    []int   // sequence ids not in use
	used    int     // KV cells held by started units
	running int     // units started and not yet freed
	more    bool    // the feed may give more
	// seqs maps each generating sequence to its branch and unit.
	seqs map[int]seqOf
}

// started is a unit in the batch.
type started struct {
	prefix int // sequence of the shared prefix, -1 for text-only units
	left   int // branches still generating
	cells  int
}

type seqOf struct {
	b *branch
	u *started
}

// run evaluates the units that src gives (see scheduler).
func (e *Engine) run(ctx context.Context, src feed, st *stats) error {
	lc, err := e.acquire(ctx)
	if err != nil {
		return err
	}
	defer e.release(lc)
	if err := lc.Clear(); err != nil {
		return err
	}
	lc.ResetStats()
	defer func() { st.add(stats{rounds: 1, llama: lc.Stats()}) }()
	s := &scheduler{e: e, ctx: ctx, lc: lc, src: src, maxSeq: lc.MaxSequences(), budget: lc.Size(), more: true, seqs: map[int]seqOf{}}
	for i := s.maxSeq - 1; i >= 0; i-- {
		s.free = append(s.free, i)
	}
	// Sequences still held when the round ends (a failed decode) are
	// cleared with the context: they are no longer busy.
	defer func() { e.busy.Add(-int64(s.maxSeq - len(s.free))) }()
	return s.run()
}

func (s *scheduler) run() error {
	first, err := s.fill()
	if err != nil {
		return err
	}
	if len(first) == 0 {
		return nil
	}
	opt := &llama.GenerateOptions{DropCompletions: true, Refill: s.refill}
	if s.src.ready != nil {
		opt.Poll = s.poll
	}
	_, err = s.lc.GenerateWith(s.ctx, first, opt)
	if err == nil && len(s.queue) > 0 {
		// Cannot happen: with nothing running, the next unit always fits.
		return fmt.Errorf("caption: %d units of work were never started", len(s.queue))
	}
	return err
}

// cost is the sequences and KV cells a unit needs.
func (s *scheduler) cost(u *unit) (seqs, cells int) {
	cells = u.tokens
	if u.image != nil {
		seqs = 1
	}
	for _, b := range u.branches {
		seqs++
		cells += b.prompt + b.maxTokens
	}
	return seqs, cells
}

// split cuts a unit whose branches cannot run at once into units that can
// (the embedding cache makes the repeated prefix cheap); a unit whose
// prompt alone does not fit fails its job.
func (s *scheduler) split(u *unit) []*unit {
	var parts []*unit
	per := s.maxSeq
	if u.image != nil {
		per = s.maxSeq - 1
	}
	part := func(bs []*branch) *unit {
		return &unit{image: u.image, prefix: u.prefix, tokens: u.tokens, branches: bs}
	}
	for len(u.branches) > per {
		parts = append(parts, part(u.branches[:per]))
		u = part(u.branches[per:])
	}
	for {
		_, c := s.cost(u)
		if c <= s.budget {
			break
		}
		if len(u.branches) > 1 {
			half := len(u.branches) / 2
			parts = append(parts, part(u.branches[:half]))
			u = part(u.branches[half:])
			continue
		}
		// One output alone may have its generation cut by the context
		// (StopContext), but its prompt must fit.
		if p := c - u.branches[0].maxTokens; p > s.budget {
			u.job().fail(fmt.Errorf("%w: the prompt takes about %d tokens, the context %d (raise the context size or lower the image size)", ErrImageTooLarge, p, s.budget))
			return nil
		}
		break
	}
	return append(parts, u)
}

// enqueue adds units to the queue, at its front for a job's next step.
func (s *scheduler) enqueue(units []*unit, front bool) {
	var add []*unit
	for _, u := range units {
		add = append(add, s.split(u)...)
	}
	if front {
		s.queue = append(add, s.queue...)
	} else {
		s.queue = append(s.queue, add...)
	}
}

func (s *scheduler) takeSeq() int {
	seq := s.free[len(s.free)-1]
	s.free = s.free[:len(s.free)-1]
	s.e.busy.Add(1)
	return seq
}

// freeSeq gives a sequence back.
func (s *scheduler) freeSeq(seq int) {
	s.free = append(s.free, seq)
	s.e.busy.Add(-1)
}

// start appends a unit's prompts and returns its generation requests.
func (s *scheduler) start(u *unit) ([]llama.GenerateRequest, error) {
	_, cells := s.cost(u)
	a := &started{prefix: -1, left: len(u.branches), cells: cells}
	s.used += cells
	s.running++
	if u.image != nil {
		a.prefix = s.takeSeq()
		if err := s.lc.Append(s.ctx, a.prefix, llama.Prompt{Text: u.prefix, Images: []llama.Image{*u.image}, AddSpecial: true}); err != nil {
			return nil, err
		}
	}
	var reqs []llama.GenerateRequest
	for _, b := range u.branches {
		seq := s.takeSeq()
		if a.prefix >= 0 {
			if err := s.lc.CopySequence(a.prefix, seq); err != nil {
				return nil, err
			}
		}
		if err := s.lc.Append(s.ctx, seq, llama.Prompt{Text: b.suffix, AddSpecial: a.prefix < 0}); err != nil {
			return nil, err
		}
		s.seqs[seq] = seqOf{b, a}
		reqs = append(reqs, llama.GenerateRequest{Seq: seq, MaxTokens: b.maxTokens, Stop: b.stop, Sampling: b.sampling, OnText: b.llamaOnText(), Force: b.force})
	}
	return reqs, nil
}

// fill starts waiting units, in order, while they fit, taking more from
// the feed when the queue runs dry; with nothing running it waits for the
// feed rather than end the batch.
func (s *scheduler) fill() ([]llama.GenerateRequest, error) {
	var reqs []llama.GenerateRequest
	for {
		for len(s.queue) > 0 && s.queue[0].job().gone() {
			s.queue = s.queue[1:] // the rest of a failed or cancelled job
		}
		if len(s.queue) == 0 {
			if !s.more {
				return reqs, nil
			}
			wait := s.running == 0
			var units []*unit
			units, s.more = s.src.next(wait)
			s.enqueue(units, false)
			if len(s.queue) == 0 && !wait && s.more {
				return reqs, nil
			}
			continue
		}
		seqs, cells := s.cost(s.queue[0])
		if seqs > len(s.free) || (s.running > 0 && s.used+cells > s.budget) {
			return reqs, nil
		}
		r, err := s.start(s.queue[0])
		if err != nil {
			return nil, err
		}
		s.queue = s.queue[1:]
		reqs = append(reqs, r...)
	}
}

// refill frees the sequences of finished branches (and of their unit's
// prefix once its last branch is done), records the answers, and starts
// what fits now (llama.GenerateOptions.Refill).
func (s *scheduler) refill(fin []llama.Completion) ([]llama.GenerateRequest, error) {
	for _, f := range fin {
		at := s.seqs[f.Seq]
		delete(s.seqs, f.Seq)
		if err := s.lc.RemoveSequence(f.Seq); err != nil {
			return nil, err
		}
		s.freeSeq(f.Seq)
		if at.u.left--; at.u.left == 0 {
			if at.u.prefix >= 0 {
				if err := s.lc.RemoveSequence(at.u.prefix); err != nil {
					return nil, err
				}
				s.freeSeq(at.u.prefix)
			}
			s.used -= at.u.cells
			s.running--
		}
		s.answered(at.b, f)
	}
	return s.fill()
}

// poll says whether new work should be taken between steps: only when
// nothing waits and an image unit (its prefix and one output: two
// sequences) could start now; otherwise the next finished sequence brings
// it in (llama.GenerateOptions.Poll).
func (s *scheduler) poll() bool {
	return len(s.queue) == 0 && s.more && len(s.free) >= 2 && s.src.ready()
}

// answered records a finished branch; when its group is complete the
// outputs are finished and the job's next step is queued first.
func (s *scheduler) answered(b *branch, c llama.Completion) {
	b.result = c
	g := b.group
	if g.left--; g.left > 0 || g.job.err != nil {
		return
	}
	for i, o := range g.outs {
		s.e.finish(o, g.bs[i].result, g.strict)
	}
	next, err := then(g.then)
	if err != nil {
		g.job.fail(err)
		return
	}
	s.enqueue(next, true)
}
