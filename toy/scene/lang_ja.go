package scene

// Japanese: "左上に赤い円、右上に緑の正方形、右下に青い星があります。" Place
// + に + object for each item, listed with 、 and one existential verb at
// the end that covers them all (AにX、BにYがあります). The polite あります
// is the neutral register for a description. Colour words are i-adjectives
// where Japanese has them (赤い, 青い, 黄色い) and nouns with の otherwise
// (緑の, 紫の, オレンジ色の); 緑い or 紫い do not exist.
var japanese = grammar{
	marks: []string{"、", "。"},
	sep:   []string{"、"},
	and:   []string{"、"},
	end:   []string{"が", "あります", "。"},
	item: func(it Item, _ bool) []string {
		return cat(jaPlaces[it.Place], []string{"に"}, jaNoun(it.Shape, it.Colour))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(jaNoun(sh, c), []string{"。"})
	},
}

var (
	jaShapes  = [NumShapes]string{"円", "正方形", "三角形", "星"}
	jaColours = [NumColours][]string{
		Red:    {"赤い"},
		Green:  {"緑", "の"},
		Blue:   {"青い"},
		Yellow: {"黄色い"},
		Purple: {"紫", "の"},
		Orange: {"オレンジ色", "の"},
	}
	// 上部中央 ("centre of the upper part") is how layouts name the top
	// middle (画面上部中央); the sides take 左側/右側 the same way.
	jaPlaces = [NumPlaces][]string{
		{"左上"}, {"上部", "中央"}, {"右上"},
		{"左側", "中央"}, {"中央"}, {"右側", "中央"},
		{"左下"}, {"下部", "中央"}, {"右下"},
	}
)

func jaNoun(sh Shape, c Colour) []string {
	return cat(jaColours[c], []string{jaShapes[sh]})
}
