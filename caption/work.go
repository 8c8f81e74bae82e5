package caption

import "context"

// Task is a request of any mode for Engine.Stream: a *Request (Describe),
// a *RegionsRequest or a *DenseRequest.
type Task interface {
	work() work
}

// work is one request's part in a stream, whatever its mode: plan checks
// the request and prepares its images, once (a request run again after a
// failed batch keeps its plan); flow returns its first units of work and
// calls done when all its outputs are final; result assembles them.
type work interface {
	plan(e *Engine) error
	flow(e *Engine, j *job, done func()) ([]*unit, error)
	result(e *Engine, took Timings) any
}

// end is the last step of a flow: it reports the request done.
func end(done func()) func() ([]*unit, error) {
	return func() ([]*unit, error) {
		done()
		return nil, nil
	}
}

// nilWork stands for a nil Task sent to Stream.
type nilWork struct{}

func (nilWork) plan(*Engine) error {
	return &BadRequestError{Field: "task", Msg: "nil task"}
}
func (nilWork) flow(*Engine, *job, func()) ([]*unit, error) { return nil, nil }
func (nilWork) result(*Engine, Timings) any                 { return nil }

// describeWork is a Describe request in a stream.
type describeWork struct {
	req *Request
	p   *plan
}

func (r *Request) work() work { return &describeWork{req: r} }

func (w *describeWork) plan(e *Engine) error {
	if w.p != nil {
		return nil
	}
	p, err := e.plan(w.req)
	w.p = p
	return err
}

func (w *describeWork) flow(e *Engine, j *job, done func()) ([]*unit, error) {
	return e.planFlow(j, w.p, done)
}

func (w *describeWork) result(e *Engine, took Timings) any { return e.result(w.p, took) }

// one runs a single task in a stream of its own and gives its result the
// stream's timings.
func (e *Engine) one(ctx context.Context, t Task) (any, error) {
	if err := e.checkOpen(); err != nil {
		return nil, err
	}
	var res any
	var rerr error
	answered := false
	taken := false
	took, err := e.stream(ctx, func(bool) (*entry, bool) {
		if taken {
			return nil, false
		}
		taken = true
		return &entry{w: t.work(), done: func(r any, err error) { res, rerr, answered = r, err, true }}, false
	}, nil)
	if !answered {
		return nil, err
	}
	if rerr != nil {
		return nil, rerr
	}
	switch r := res.(type) {
	case *Result:
		r.Timings = took
	case *RegionsResult:
		r.Timings = took
	case *DenseResult:
		r.Timings = took
	}
	return res, nil
}
