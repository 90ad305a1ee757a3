/* libpng for Swift (ConvKitTrain writes the training chart through its simplified png_image API). */
#include <png.h>
