package llmapi

// The chatChunk fields as decodeChatChunk's one-pass reader fills them (chunkread.go): each
// object's keys through a fieldSet, every value of another type given up on.

// chunk reads the chunk object and checks nothing follows it.
func (r *chunkReader) chunk(ch *chatChunk) bool {
	var s fieldSet
	ok := r.object(func(key []byte) bool {
		f, ok := s.take(key, "choices", "message")
		switch {
		case !ok:
			return false
		case f == 0:
			return r.choices(ch)
		case f == 1:
			return r.msgPtr(&ch.Message)
		}
		return r.skip()
	})
	r.ws()
	return ok && r.i == len(r.b)
}

func (r *chunkReader) choices(ch *chatChunk) bool {
	if r.null() {
		ch.Choices = nil
		return true
	}
	ch.Choices = make([]chatChoice, 0, 1)
	return r.array(func() bool {
		ch.Choices = append(ch.Choices, chatChoice{})
		c := &ch.Choices[len(ch.Choices)-1]
		var s fieldSet
		return r.object(func(key []byte) bool {
			f, ok := s.take(key, "index", "delta", "message")
			switch {
			case !ok:
				return false
			case f == 0:
				return r.integer(&c.Index)
			case f == 1:
				return r.null() || r.msg(&c.Delta)
			case f == 2:
				return r.msgPtr(&c.Msg)
			}
			return r.skip()
		})
	})
}

// msgPtr reads a *chatMsg: null sets it to nil.
func (r *chunkReader) msgPtr(p **chatMsg) bool {
	if r.null() {
		*p = nil
		return true
	}
	m := &chatMsg{}
	*p = m
	return r.msg(m)
}

func (r *chunkReader) msg(m *chatMsg) bool {
	var s fieldSet
	return r.object(func(key []byte) bool {
		f, ok := s.take(key, "tool_calls", "function_call")
		switch {
		case !ok:
			return false
		case f == 0:
			return r.toolCalls(m)
		case f == 1:
			if r.null() {
				m.FunctionCall = nil
				return true
			}
			m.FunctionCall = &chatFunction{}
			return r.function(m.FunctionCall)
		}
		return r.skip()
	})
}

func (r *chunkReader) toolCalls(m *chatMsg) bool {
	if r.null() {
		m.ToolCalls = nil
		return true
	}
	m.ToolCalls = make([]chatToolCall, 0, 1)
	return r.array(func() bool {
		m.ToolCalls = append(m.ToolCalls, chatToolCall{})
		tc := &m.ToolCalls[len(m.ToolCalls)-1]
		var s fieldSet
		return r.object(func(key []byte) bool {
			f, ok := s.take(key, "index", "id", "type", "function", "custom")
			switch {
			case !ok:
				return false
			case f == 0:
				return r.integer(&tc.Index)
			case f == 1:
				return r.str(&tc.ID)
			case f == 2:
				return r.str(&tc.Type)
			case f == 3:
				return r.null() || r.function(&tc.Function)
			case f == 4:
				return r.null() || r.custom(&tc.Custom)
			}
			return r.skip()
		})
	})
}

func (r *chunkReader) function(fn *chatFunction) bool {
	var s fieldSet
	return r.object(func(key []byte) bool {
		f, ok := s.take(key, "name", "arguments")
		switch {
		case !ok:
			return false
		case f == 0:
			return r.str(&fn.Name)
		case f == 1:
			return r.argText(&fn.Arguments)
		}
		return r.skip()
	})
}

func (r *chunkReader) custom(c *chatCustom) bool {
	var s fieldSet
	return r.object(func(key []byte) bool {
		f, ok := s.take(key, "name", "input")
		switch {
		case !ok:
			return false
		case f == 0:
			return r.str(&c.Name)
		case f == 1:
			return r.str(&c.Input)
		}
		return r.skip()
	})
}
