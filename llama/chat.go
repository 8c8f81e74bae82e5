//go:build cgo

package llama

/*
#include <stdlib.h>
#include "bridge.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Message is one turn of a chat.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// DefaultChatTemplate is used for models whose file has no chat template.
const DefaultChatTemplate = "chatml"

// ChatTemplates lists the template names llama.cpp knows (usable as the
// template argument of ApplyChatTemplate).
func ChatTemplates() []string {
	n := C.llama_chat_builtin_templates(nil, 0)
	if n <= 0 {
		return nil
	}
	ptrs := make([]*C.char, int(n))
	C.llama_chat_builtin_templates((**C.char)(unsafe.Pointer(&ptrs[0])), C.size_t(n))
	out := make([]string, len(ptrs))
	for i, p := range ptrs {
		out[i] = C.GoString(p)
	}
	return out
}

// ApplyChatTemplate renders messages with a chat template. template may be
// empty (the model's own template, or DefaultChatTemplate when it has
// none), a built-in name from ChatTemplates, or a Jinja template text that
// llama.cpp recognises. addAssistant appends the opening of the
// assistant's turn so generation continues as the assistant.
func (m *Model) ApplyChatTemplate(template string, msgs []Message, addAssistant bool) (string, error) {
	const op = "Model.ApplyChatTemplate"
	if err := m.acquire(op); err != nil {
		return "", err
	}
	defer m.mu.RUnlock()
	if template == "" {
		template = m.meta.ChatTemplate
	}
	if template == "" {
		template = DefaultChatTemplate
	}
	return applyTemplate(op, template, msgs, addAssistant)
}

func applyTemplate(op, template string, msgs []Message, addAssistant bool) (string, error) {
	if len(msgs) == 0 {
		return "", opErr(op, ErrInvalidArgument, "no messages")
	}
	ctmpl := C.CString(template)
	defer C.free(unsafe.Pointer(ctmpl))
	cmsgs := (*C.llama_chat_message)(C.malloc(C.size_t(len(msgs)) * C.size_t(unsafe.Sizeof(C.llama_chat_message{}))))
	defer C.free(unsafe.Pointer(cmsgs))
	view := unsafe.Slice(cmsgs, len(msgs))
	total := 0
	for i, msg := range msgs {
		view[i].role = C.CString(msg.Role)
		view[i].content = C.CString(msg.Content)
		total += len(msg.Role) + len(msg.Content)
	}
	defer func() {
		for i := range view {
			C.free(unsafe.Pointer(view[i].role))
			C.free(unsafe.Pointer(view[i].content))
		}
	}()
	size := 2*total + 256
	for range 2 {
		buf := (*C.char)(C.malloc(C.size_t(size)))
		n := C.llama_chat_apply_template(ctmpl, cmsgs, C.size_t(len(msgs)), C.bool(addAssistant), buf, C.int32_t(size))
		if n < 0 {
			C.free(unsafe.Pointer(buf))
			name := template
			if len(name) > 40 {
				name = name[:40] + "..."
			}
			return "", opErr(op, ErrInvalidArgument, "chat template %q is not one llama.cpp supports; pass a built-in name such as %q", name, DefaultChatTemplate)
		}
		if int(n) <= size {
			s := C.GoStringN(buf, n)
			C.free(unsafe.Pointer(buf))
			return s, nil
		}
		C.free(unsafe.Pointer(buf))
		size = int(n) + 1
	}
	return "", fmt.Errorf("llama: %s: template output kept growing", op)
}
