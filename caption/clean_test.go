package caption

import (
	"regexp"
	"strings"
	"testing"
)

func TestCleanOpeners(t *testing.T) {
	tests := []struct{ tag, in, want string }{
		// English.
		{"en", "This image shows a brown dog running across a field.", "A brown dog running across a field."},
		{"en", "The image depicts two children on a bench.", "Two children on a bench."},
		{"en", "The picture shows that the street is wet.", "The street is wet."},
		{"en", "In this image, a woman holds an umbrella.", "A woman holds an umbrella."},
		{"en", "In the image we can see a red car.", "A red car."},
		{"en", "In this picture there are several boats in a harbour.", "Several boats in a harbour."},
		{"en", "This is a black-and-white photo of a lighthouse.", "A lighthouse."},
		{"en", "The image is a close-up photograph of a bee.", "A bee."},
		{"en", "Sure! Here is a description of the image: The image shows a cat.", "A cat."},
		{"en", "Certainly. Here's a brief caption: a cat asleep on a sofa.", "A cat asleep on a sofa."},
		{"en", "Caption: a cat on a sofa.", "A cat on a sofa."},
		{"en", "The image shows", "The image shows"}, // nothing would be left
		{"en", "A dog. This image shows nothing else.", "A dog. This image shows nothing else."},
		{"en", "The images of the war are on the wall.", "The images of the war are on the wall."},
		{"en", "This image shows iPhones on a table.", "iPhones on a table."},
		// German: only removals that leave a proper sentence.
		{"de", "Das Bild zeigt eine Frau mit einem Regenschirm.", "Eine Frau mit einem Regenschirm."},
		{"de", "Dieses Foto zeigt zwei Kinder auf einer Bank.", "Zwei Kinder auf einer Bank."},
		{"de", "Das Bild zeigt einen braunen Hund.", "Das Bild zeigt einen braunen Hund."},
		{"de", "Auf diesem Bild ist ein roter Wagen zu sehen.", "Ein roter Wagen."},
		{"de", "Auf dem Bild sind zwei Boote zu sehen, die im Hafen liegen.", "Zwei Boote, die im Hafen liegen."},
		{"de", "Auf diesem Bild sieht man eine Katze.", "Eine Katze."},
		{"de", "Auf diesem Bild sitzt ein Hund im Gras.", "Auf diesem Bild sitzt ein Hund im Gras."},
		{"de", "Zu sehen ist ein alter Leuchtturm.", "Ein alter Leuchtturm."},
		{"de", "This image shows ein Hund.", "Ein Hund."},
		// Romance languages.
		{"fr", "L'image montre un chien brun dans un champ.", "Un chien brun dans un champ."},
		{"fr", "Sur cette image, on voit deux enfants.", "Deux enfants."},
		{"fr", "Dans l’image, une femme tient un parapluie.", "Une femme tient un parapluie."},
		{"fr", "Voici une photo d'un phare.", "Un phare."},
		{"es", "La imagen muestra un perro marrón.", "Un perro marrón."},
		{"es", "En la imagen se ven dos niños en un banco.", "Dos niños en un banco."},
		{"es", "En esta imagen, hay un coche rojo.", "Un coche rojo."},
		{"it", "L'immagine mostra un cane marrone.", "Un cane marrone."},
		{"it", "Nell'immagine si vedono due bambini.", "Due bambini."},
		{"pt", "A imagem mostra um cachorro marrom.", "Um cachorro marrom."},
		{"pt", "Na imagem, há um carro vermelho.", "Um carro vermelho."},
		{"ro", "Imaginea arată un câine maro.", "Un câine maro."},
		{"ro", "În această imagine se văd două bărci.", "Două bărci."},
		// Germanic and Nordic.
		{"nl", "De afbeelding toont een bruine hond.", "Een bruine hond."},
		{"nl", "Op de foto is een rode auto te zien.", "Een rode auto."},
		{"da", "Billedet viser en brun hund.", "En brun hund."},
		{"sv", "På bilden syns två barn på en bänk.", "Två barn på en bänk."},
		{"no", "Bildet viser en rød bil.", "En rød bil."},
		{"fi", "Kuvassa on ruskea koira.", "Ruskea koira."},
		{"fi", "Kuvassa koira juoksee niityllä.", "Koira juoksee niityllä."},
		// Slavic: accusative-leaving openers stay.
		{"ru", "На изображении собака бежит по полю.", "Собака бежит по полю."},
		{"ru", "На фото изображена красная машина.", "Красная машина."},
		{"ru", "На изображении мы видим собаку.", "На изображении мы видим собаку."},
		{"uk", "На зображенні собака біжить полем.", "Собака біжить полем."},
		{"uk", "На фото зображено собаку.", "На фото зображено собаку."},
		{"pl", "Na zdjęciu znajduje się czerwony samochód.", "Czerwony samochód."},
		{"pl", "Na zdjęciu widać psa.", "Na zdjęciu widać psa."},
		{"cs", "Na obrázku je hnědý pes.", "Hnědý pes."},
		{"hr", "Na slici je crveni automobil.", "Crveni automobil."},
		// Other Latin-script languages.
		{"hu", "A képen egy barna kutya látható.", "Egy barna kutya látható."},
		{"tr", "Bu resimde iki çocuk bankta oturuyor.", "İki çocuk bankta oturuyor."},
		{"tr", "Görselde kırmızı bir araba var.", "Kırmızı bir araba var."},
		{"id", "Gambar ini menunjukkan seekor anjing cokelat.", "Seekor anjing cokelat."},
		{"id", "Dalam gambar ini, terlihat dua anak.", "Dua anak."},
		{"vi", "Bức ảnh cho thấy một con chó nâu.", "Một con chó nâu."},
		{"vi", "Trong ảnh có hai đứa trẻ.", "Hai đứa trẻ."},
		{"fil", "Ipinapakita ng larawan ang isang aso.", "Isang aso."},
		{"sw", "Picha hii inaonyesha mbwa wa kahawia.", "Mbwa wa kahawia."},
		{"sw", "Katika picha hii, kuna watoto wawili.", "Watoto wawili."},
		{"mi", "Kei tēnei whakaahua he kurī parauri.", "He kurī parauri."},
		{"el", "Στην εικόνα φαίνεται ένας σκύλος.", "Ένας σκύλος."},
		// Right-to-left and Indic scripts: nothing to capitalise.
		{"ar", "تظهر الصورة كلبا بنيا في حقل.", "كلبا بنيا في حقل."},
		{"ar", "في هذه الصورة، يجلس طفلان على مقعد.", "يجلس طفلان على مقعد."},
		{"fa", "در این تصویر یک سگ قهوه‌ای دیده می‌شود.", "یک سگ قهوه‌ای دیده می‌شود."},
		{"fa", "این تصویر یک سگ را نشان می‌دهد.", "یک سگ."},
		{"he", "בתמונה נראה כלב חום.", "כלב חום."},
		{"he", "בתמונה רואים את הכלב.", "בתמונה רואים את הכלב."},
		{"hi", "इस चित्र में एक भूरा कुत्ता दौड़ रहा है।", "एक भूरा कुत्ता दौड़ रहा है।"},
		{"ur", "اس تصویر میں ایک کتا ہے۔", "ایک کتا ہے۔"},
		{"bn", "এই ছবিতে একটি কুকুর দৌড়াচ্ছে।", "একটি কুকুর দৌড়াচ্ছে।"},
		{"te", "ఈ చిత్రంలో ఒక కుక్క ఉంది.", "ఒక కుక్క ఉంది."},
		{"th", "ภาพนี้แสดงสุนัขสีน้ำตาลกำลังวิ่ง", "สุนัขสีน้ำตาลกำลังวิ่ง"},
		{"th", "ในภาพมีเด็กสองคน", "เด็กสองคน"},
		// CJK.
		{"zh", "图中有一只狗在草地上奔跑。", "一只狗在草地上奔跑。"},
		{"zh", "这张图片展示了一辆红色的汽车。", "一辆红色的汽车。"},
		{"zh", "在这张图片中，可以看到两个孩子。", "两个孩子。"},
		{"zh", "这是一张狗在草地上的照片。", "狗在草地上。"},
		{"zh", "照片中的男人在笑。", "照片中的男人在笑。"},
		{"zh-Hant", "圖中有一隻狗。", "一隻狗。"},
		{"ja", "この画像には、茶色の犬が写っています。", "茶色の犬が写っています。"},
		{"ja", "この画像は、公園で遊ぶ子供たちを写しています。", "公園で遊ぶ子供たち。"},
		{"ja", "この写真では、女性が傘を差しています。", "女性が傘を差しています。"},
		{"ko", "이 이미지에는 갈색 개가 있습니다.", "갈색 개가 있습니다."},
		{"ko", "이 사진은 빨간 자동차를 보여줍니다.", "빨간 자동차."},
	}
	for _, tt := range tests {
		got := Clean(tt.in, MustLookupLanguage(tt.tag), CleanOptions{})
		if got != tt.want {
			t.Errorf("Clean(%s, %q)\n got %q\nwant %q", tt.tag, tt.in, got, tt.want)
		}
		if kept := Clean(tt.in, MustLookupLanguage(tt.tag), CleanOptions{KeepOpeners: true}); kept != strings.TrimSpace(tt.in) {
			t.Errorf("Clean(%s, %q, KeepOpeners) = %q", tt.tag, tt.in, kept)
		}
	}
}

// TestCleanOpenersCoverXM3600 makes sure each XM3600 language has its own
// boilerplate rules, so none is left to the English ones alone.
func TestCleanOpenersCoverXM3600(t *testing.T) {
	for _, tag := range langXM3600 {
		if len(openerRules[tag]) == 0 {
			t.Errorf("no opener rules for %s", tag)
		}
	}
}

func TestCleanMarkdown(t *testing.T) {
	tests := []struct {
		tag, in, want string
		opt           CleanOptions
	}{
		{"en", "**A dog** runs across a *green* field.", "A dog runs across a green field.", CleanOptions{}},
		{"en", "A __bold__ and ~~struck~~ `code` word.", "A bold and struck code word.", CleanOptions{}},
		{"en", "See [the harbour](https://example.com) and ![a boat](b.png).", "See the harbour and a boat.", CleanOptions{}},
		{"en", "## Description\n\nA dog on a lawn.", "Description. A dog on a lawn.", CleanOptions{}},
		{"en", "The scene contains:\n- a red car\n- two bikes\n* a bench", "The scene contains: A red car. Two bikes. A bench.", CleanOptions{}},
		{"en", "1. a dog\n2) a cat!", "A dog. A cat!", CleanOptions{}},
		{"en", "**Caption:** A cat on a sofa.", "A cat on a sofa.", CleanOptions{}},
		{"en", "```\nA dog.\n```", "A dog.", CleanOptions{}},
		{"en", "A dog.\n\n---\n\nA cat.", "A dog. A cat.", CleanOptions{}},
		{"en", "> A quoted caption.", "A quoted caption.", CleanOptions{}},
		{"en", "snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay", CleanOptions{}},
		{"de", "- ein roter Wagen\n- zwei Fahrräder", "Ein roter Wagen. Zwei Fahrräder.", CleanOptions{}},
		{"tr", "- iki çocuk", "İki çocuk.", CleanOptions{}},
		{"zh", "- 一只狗\n- 两只猫", "一只狗。两只猫。", CleanOptions{}},
		{"ja", "# 説明\n犬が走っています。", "説明。犬が走っています。", CleanOptions{}},
		{"hi", "- एक कुत्ता\n- दो बिल्लियाँ", "एक कुत्ता। दो बिल्लियाँ।", CleanOptions{}},
		{"ur", "- ایک کتا", "ایک کتا۔", CleanOptions{}},
		{"th", "- สุนัข\n- แมว", "สุนัข แมว", CleanOptions{}},
		{"en", "**A dog**\n- a cat", "**A dog**\n- a cat", CleanOptions{KeepMarkdown: true}},
	}
	for _, tt := range tests {
		if got := Clean(tt.in, MustLookupLanguage(tt.tag), tt.opt); got != tt.want {
			t.Errorf("Clean(%s, %q, %+v)\n got %q\nwant %q", tt.tag, tt.in, tt.opt, got, tt.want)
		}
	}
}

func TestCleanWhitespaceAndQuotes(t *testing.T) {
	tests := []struct {
		tag, in, want string
		opt           CleanOptions
	}{
		{"en", "  A   dog\trunning\r\non   grass.  ", "A dog running on grass.", CleanOptions{}},
		{"en", "A dog.\n\n\nA cat.", "A dog. A cat.", CleanOptions{}},
		{"en", "A dog.\n\n\nA cat.", "A dog.\n\nA cat.", CleanOptions{KeepParagraphs: true}},
		{"zh", "一只狗\n在草地上。", "一只狗在草地上。", CleanOptions{}},
		{"ja", "犬が　走っています。", "犬が 走っています。", CleanOptions{}},
		{"en", `"A dog on the grass."`, "A dog on the grass.", CleanOptions{}},
		{"en", "“A dog on the grass.”", "A dog on the grass.", CleanOptions{}},
		{"de", "„Ein Hund im Gras.“", "Ein Hund im Gras.", CleanOptions{}},
		{"fr", "« Un chien dans l'herbe. »", "Un chien dans l'herbe.", CleanOptions{}},
		{"ja", "「草の上の犬。」", "草の上の犬。", CleanOptions{}},
		{"en", `"Stop" sign next to a "Yield" sign.`, `"Stop" sign next to a "Yield" sign.`, CleanOptions{}},
		{"en", "", "", CleanOptions{}},
		{"en", " \n\t ", "", CleanOptions{}},
	}
	for _, tt := range tests {
		if got := Clean(tt.in, MustLookupLanguage(tt.tag), tt.opt); got != tt.want {
			t.Errorf("Clean(%s, %q, %+v)\n got %q\nwant %q", tt.tag, tt.in, tt.opt, got, tt.want)
		}
	}
}

func TestCleanTruncated(t *testing.T) {
	cut := CleanOptions{Truncated: true}
	tests := []struct{ tag, in, want string }{
		{"en", "A dog runs across a field. Behind it, a red", "A dog runs across a field."},
		{"en", "A dog runs! Is it happy? It seems so and", "A dog runs! Is it happy?"},
		{"en", "A dog runs across a field", "A dog runs across a field"}, // no terminator: keep
		{"en", "A dog runs across a field.", "A dog runs across a field."},
		{"en", "He said \"hello.\" Then the", "He said \"hello.\""},
		{"en", "The price is 3.5 dollars and", "The price is 3.5 dollars and"},
		{"en", "Dr. Smith stands near St. Mary's church and", "Dr. Smith stands near St. Mary's church and"},
		{"en", "A sign for J. Smith. The", "A sign for J. Smith."},
		{"en", "Wait… A dog appears and", "Wait…"},
		{"en", "A dog (brown.) Then", "A dog (brown.)"},
		{"de", "Ein Hund läuft über die Wiese. Dahinter steht ein", "Ein Hund läuft über die Wiese."},
		{"zh", "一只狗在草地上奔跑。它的旁边有一", "一只狗在草地上奔跑。"},
		{"zh", "这是什么？一只狗！后面", "这是什么？一只狗！"},
		{"ja", "犬が走っています。その後ろに", "犬が走っています。"},
		{"hi", "एक कुत्ता दौड़ रहा है। उसके पीछे एक", "एक कुत्ता दौड़ रहा है।"},
		{"ur", "ایک کتا دوڑ رہا ہے۔ اس کے پیچھے", "ایک کتا دوڑ رہا ہے۔"},
		{"ar", "هل هذا كلب؟ نعم إنه", "هل هذا كلب؟"},
		{"am", "ውሻ በሣር ላይ ይሮጣል። ከኋላው", "ውሻ በሣር ላይ ይሮጣል።"},
		{"th", "สุนัขกำลังวิ่งอยู่บนหญ้า แมวกำลัง", "สุนัขกำลังวิ่งอยู่บนหญ้า แมวกำลัง"},
	}
	for _, tt := range tests {
		lang := MustLookupLanguage(tt.tag)
		if got := Clean(tt.in, lang, cut); got != tt.want {
			t.Errorf("Clean(%s, %q, Truncated)\n got %q\nwant %q", tt.tag, tt.in, got, tt.want)
		}
		// Without Truncated nothing is cut.
		if got := Clean(tt.in, lang, CleanOptions{KeepOpeners: true}); got != tt.in {
			t.Errorf("Clean(%s, %q) cut without Truncated: %q", tt.tag, tt.in, got)
		}
	}
}

// TestCleanKeepsSamples: clean captions pass through unchanged.
func TestCleanKeepsSamples(t *testing.T) {
	for _, set := range [][]detectSample{detectSamplesLong, detectSamplesShort} {
		for _, s := range set {
			lang := MustLookupLanguage(s.tag)
			if got := Clean(s.text, lang, CleanOptions{Truncated: true}); got != s.text {
				t.Errorf("Clean(%s, %q) = %q", s.tag, s.text, got)
			}
		}
	}
}

func TestCleanOpenerRulesAnchored(t *testing.T) {
	// Every rule must only ever match at the start of the text.
	check := func(name string, rs []openerRule) {
		for _, r := range rs {
			if !strings.HasPrefix(r.re.String(), "^") {
				t.Errorf("%s rule %s is not anchored", name, r.re)
			}
			if _, err := regexp.Compile(r.re.String()); err != nil {
				t.Errorf("%s rule %s: %v", name, r.re, err)
			}
		}
	}
	check("universal", openerUniversal)
	for tag, rs := range openerRules {
		if _, err := LookupLanguage(tag); err != nil {
			t.Errorf("opener rules for unknown language %s", tag)
		}
		check(tag, rs)
	}
}
