// Package caption turns images into captions in many languages with a local
// vision-LLM: an Engine over a llama.Model and llama.Projector, the
// language registry, the prompt templates, the check that an answer is in
// the requested language, and the clean-up of raw model output.
//
// # Engine
//
// New (or Load, which also loads the model pair) makes an Engine. Its
// methods take a context.Context first and return structured results:
//
//   - Describe: a brief or detailed caption, a custom instruction or an
//     answer to a question, in several languages at once. The image is
//     encoded and prefilled once; the prefix is forked to one sequence per
//     language (llama.Context.CopySequence) and all languages are decoded
//     together, one llama_decode per step.
//   - Regions: captions of boxes (original-image pixels) from their focal
//     crops (the box plus a context margin), with a word budget; the crops of
//     one image are decoded together and results carry their boxes.
//   - Dense: Pyramid of Captions: a global caption, captions of grid tiles
//     (optionally a second, finer level), and a text-only merge of both into
//     one dense description by the same model.
//
// Strategies: Direct asks in each language; every answer is checked
// (DetectLanguage) and a wrong-language answer is retried once with the
// strict instruction. Pivot captions in a pivot language (English) and
// has the model translate, text only. Auto is Direct with Pivot as the
// fallback for languages still wrong after the retry. Each Caption records
// the requested and detected language, and whether a retry or pivot
// happened.
//
// All outputs of a call run as one continuous batch on one llama context:
// each image prefix is evaluated once and forked to its outputs, all
// running outputs decode together (one llama_decode per step), and when
// an image's last output finishes its sequences and KV cells go to the next
// waiting image at once, within Options.MaxSequences and the context size.
// Wrong-language retries and pivot translations join the same batch as
// soon as their first answers are in. DescribeBatch puts several images
// into one such batch; DescribeStream keeps one batch running over images
// that arrive on a channel, so the model never waits for a group to drain
// (capgen batch uses it for a whole run). Image embeddings are cached by content hash (Options.Cache), so
// an image retried or asked again is encoded once. clip.cpp encodes one
// image per call (it refuses batches of images), so image encodes are not
// batched; on a CPU they use all threads.
//
// # Languages
//
// The registry (Languages, LookupLanguage, ParseLanguages) holds more than
// 120 languages: the union of the XM3600, Babel-ImageNet and Centurio sets.
// A Language carries its BCP-47 tag (the canonical key), ISO 639-3 code,
// English and native names, ISO 15924 script and writing direction.
// Lookups accept tags in any case with - or _ ("zh_TW"), legacy codes
// ("iw", "in", "ji"), ISO 639-3 and 639-2/B codes, English and native names
// with or without accents ("español", "espanol"), and tags with region
// subtags ("de-AT"). Simplified Chinese is "zh" (zh-Hans, zh-CN),
// Traditional "zh-Hant" (zh-TW, zh-HK); Norwegian Bokmål is "no" (nb) and
// Nynorsk "nn"; Filipino is "fil" (tl). An unknown code is an
// *UnknownLanguageError (errors.Is ErrUnknownLanguage) whose message
// suggests the nearest entries: caption: unknown language "germna"; did
// you mean de (German)?
//
// # Prompt templates
//
// Templates holds one prompt per language and Mode (brief, detailed, region,
// tile, merge, translate, question), plus "custom" (wraps a caller's own
// instruction with the language statement), "strict" (the stronger
// instruction used for a retry after an answer in the wrong language) and
// the nine tile position names. The 36 XM3600 languages and Traditional
// Chinese have instructions written in the language itself; every other
// language gets English instructions that name it ("Answer in Amharic
// (አማርኛ)."). Every prompt states the target language.
//
// The built-in templates are text files embedded from templates/ in this
// package. LoadTemplates and ReadTemplates lay a file of the same format
// over them, key by key:
//
//	# comment
//	[de]                  a section: any LookupLanguage spelling, or * for the fallback
//	brief = Beschreibe das Bild in einem Satz auf Deutsch.
//	region = Beschreibe diesen Bildausschnitt auf Deutsch in höchstens {words} Wörtern.
//	merge = ...\n\nGanzes Bild: {global}\n\nTeile:\n{tiles}
//	position.top-left = oben links
//
// A value is one line; \n stands for a line break and \\ for a backslash.
// Keys: brief, detailed, region, tile, merge, translate, question, custom,
// strict, and position.top-left, position.top, position.top-right,
// position.left, position.center, position.right, position.bottom-left,
// position.bottom, position.bottom-right. Placeholders are {name}; {{ and }}
// are literal braces. Each key takes exactly these, and must use those that
// the caller supplies:
//
//	region     {words}                   word budget of a region caption
//	tile       {position}                where the tile lies (Templates.Position)
//	merge      {global} {tiles}          global caption and the tile captions
//	translate  {source_language} {text}  source language name and the text
//	question   {question}                the user's question
//	custom     {instruction}             the caller's instruction
//
// and every key but the position names may use {language}, the target
// language's Display name, filled in by the renderer. An unknown key,
// section or placeholder, or a missing required one, is an error when the
// file is read, with its line number; Render fails on missing or unexpected
// variables. Values are inserted verbatim and never expanded again.
//
// Templates.Hash and TemplatesHash give a stable SHA-256 of the prompts a
// set of languages sees, so that a model trained on fixed prompts can
// detect that they changed.
//
// # Language check
//
// DetectLanguage (or a Detector) decides whether an answer is in the
// requested language: first by script (Unicode letter counts; ja needs
// kana, zh is Han without kana, Simplified and Traditional are told apart),
// then, where several languages share the script, by a statistical
// identifier (lingua-go) over the requested language, its drift targets
// and the script's big languages. Answers of up to three words are only
// checked by script. See detect.go and docs/languages.md for the
// measurements behind the design, and -tags nolingua for a build without
// the identifier.
//
// # Mismatches
//
// Every Caption has a Status and its Attempts. A wrong-language answer is
// handled by the request's OnMismatch policy: MismatchRetry (the default)
// asks again with the strict prompt, then, with the Auto strategy, through
// the pivot language, and marks the caption StatusFailed (no text) when no
// answer passes; MismatchWarn retries the same way but keeps the last
// answer as StatusMismatch; MismatchKeep keeps the first; MismatchFail fails
// at once. A translated caption carries its pivot-language source
// (Caption.Pivot), and translations are checked and retried like any
// caption: an English text is never returned as an Italian one.
//
// # Clean-up
//
// Clean removes markdown, normalises white space, drops a boilerplate opener
// ("This image shows", "Das Bild zeigt", "На изображении", "图中") where what
// is left stands as a caption, and, when generation hit its token limit
// (CleanOptions.Truncated), cuts the unfinished last sentence.
//
// # Concurrency
//
// An Engine is safe for concurrent use by several goroutines: each call
// takes one of its pooled llama contexts (Options.Contexts) and waits while
// all are busy; the model's weights are shared. The registry, a Templates
// value and a Detector are safe for concurrent use; Templates values are
// immutable once built.
package caption
