package caption_test

import (
	"fmt"

	"github.com/capgen/capgen/caption"
)

func ExampleLookupLanguage() {
	l, _ := caption.LookupLanguage("zh_TW")
	fmt.Println(l.Tag, l.English, l.Script)
	l, _ = caption.LookupLanguage("Deutsch")
	fmt.Println(l.Tag, l.ISO3, l.Display())
	_, err := caption.LookupLanguage("germna")
	fmt.Println(err)
	// Output:
	// zh-Hant Chinese (Traditional) Hant
	// de deu German (Deutsch)
	// caption: unknown language "germna"; did you mean de (German)?
}

func ExampleParseLanguages() {
	langs, err := caption.ParseLanguages("de,fr, ja")
	fmt.Println(langs, err)
	// Output: [de fr ja] <nil>
}

func ExampleTemplates_Render() {
	t := caption.DefaultTemplates()
	de := caption.MustLookupLanguage("de")
	p, _ := t.Render(de, caption.ModeRegion, map[string]string{"words": "8"})
	fmt.Println(p)
	// Languages without native templates get English instructions that name
	// the target language.
	p, _ = t.Render(caption.MustLookupLanguage("am"), caption.ModeBrief, nil)
	fmt.Println(p)
	// A tile's position, named in the prompt's language.
	ja := caption.MustLookupLanguage("ja")
	p, _ = t.Render(ja, caption.ModeTile, map[string]string{"position": t.Position(ja, 0, 1, 2, 2)})
	fmt.Println(p)
	// Output:
	// Beschreibe diesen Bildausschnitt auf Deutsch in höchstens 8 Wörtern.
	// Describe the image in one sentence. Answer in Amharic (አማርኛ).
	// この画像は、より大きな画像の一部です（位置：右上）。この部分に見えるものを、小さな物や文字も含めて、すべて日本語で詳しく説明してください。
}

func ExampleTemplates_RenderCustom() {
	t := caption.DefaultTemplates()
	p, _ := t.RenderCustom(caption.MustLookupLanguage("es"), "Enumera los animales que aparecen.")
	fmt.Println(p)
	// Output:
	// Enumera los animales que aparecen.
	// Responde en español.
}

func ExampleDetectLanguage() {
	ru := caption.MustLookupLanguage("ru")
	d := caption.DetectLanguage("A dog runs across the grass.", ru)
	fmt.Println(d.Match, d.Script, d.Lang)
	d = caption.DetectLanguage("Собака бежит по траве.", ru)
	fmt.Println(d.Match, d.Script, d.Lang)
	d = caption.DetectLanguage("这只狗在草地上奔跑。", caption.MustLookupLanguage("ja"))
	fmt.Println(d.Match, d.Script, d.Lang, "-", d.Reason)
	// Output:
	// false Latn en
	// true Cyrl ru
	// false Hans zh - Han without kana: Chinese, not Japanese
}

func ExampleClean() {
	fr := caption.MustLookupLanguage("fr")
	raw := "**L'image montre** un chien brun dans un champ. Derrière lui, une"
	fmt.Println(caption.Clean(raw, fr, caption.CleanOptions{Truncated: true}))
	zh := caption.MustLookupLanguage("zh")
	fmt.Println(caption.Clean("图中有一只狗在草地上奔跑。", zh, caption.CleanOptions{}))
	// Output:
	// Un chien brun dans un champ.
	// 一只狗在草地上奔跑。
}
