package scene

// Chinese (simplified): "左上角有一个红色的圆形，右上角有一个绿色的正方形，
// 右下角有一个蓝色的五角星。" Each object is an existential clause, place +
// 有 + 一个 + colour + 的 + shape. 个 is the right measure word for drawn
// shapes, the star included (一个五角星; 颗 is for stars in the sky).
// The clauses are joined by the full-width comma: the enumeration comma 、
// separates words and noun phrases inside a clause, not clauses, and no
// conjunction is needed between clauses.
var chinese = grammar{
	marks: []string{"，", "。"},
	sep:   []string{"，"},
	and:   []string{"，"},
	end:   []string{"。"},
	item: func(it Item, _ bool) []string {
		return cat(zhPlaces[it.Place], []string{"有"}, zhNoun(it.Shape, it.Colour))
	},
	object: func(sh Shape, c Colour) []string {
		return cat(zhNoun(sh, c), []string{"。"})
	},
}

var (
	zhShapes  = [NumShapes]string{"圆形", "正方形", "三角形", "五角星"}
	zhColours = [NumColours]string{"红色", "绿色", "蓝色", "黄色", "紫色", "橙色"}
	// Tokens of each place; 正中间 ("right in the middle") stays one word
	// so that it cannot be read as 正 + 中间.
	zhPlaces = [NumPlaces][]string{
		{"左上角"}, {"顶部", "中间"}, {"右上角"},
		{"左侧", "中间"}, {"正中间"}, {"右侧", "中间"},
		{"左下角"}, {"底部", "中间"}, {"右下角"},
	}
)

func zhNoun(sh Shape, c Colour) []string {
	return []string{"一个", zhColours[c], "的", zhShapes[sh]}
}
