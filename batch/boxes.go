package batch

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"

	"github.com/capgen/capgen/vision"
)

// BoxesSuffix names the boxes file of an image for a Regions run:
// IMG.jpg.boxes.json beside IMG.jpg.
const BoxesSuffix = ".boxes.json"

// BoxesFile reads the boxes of the image at path from path+BoxesSuffix: a
// JSON list of boxes [x0,y0,x1,y1] (the format of capgen regions
// --boxes). An image without the file has no boxes, which fails it with
// a message that names the file.
func BoxesFile(path string) ([]vision.Box, error) {
	name := path + BoxesSuffix
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, inputf("no boxes: %s does not exist (a JSON list of boxes [x0,y0,x1,y1])", name)
	}
	if err != nil {
		return nil, err
	}
	var boxes []vision.Box
	if err := json.Unmarshal(data, &boxes); err != nil {
		return nil, inputf("%s: want a JSON list of boxes [x0,y0,x1,y1]: %v", name, err)
	}
	if len(boxes) == 0 {
		return nil, inputf("%s holds no boxes", name)
	}
	return boxes, nil
}
