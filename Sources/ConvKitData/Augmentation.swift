/// Random training-time augmentation of one image: a rotation and zoom
/// (bilinear, about the centre), then a random crop of the zero-padded
/// image, then a horizontal flip with probability 1/2 — each only when
/// enabled. Parameters are drawn from a SplitMix64 stream given per
/// (seed, epoch, sample), so an epoch's augmented data is the same however
/// and on whichever thread it is produced.
public struct Augmentation: Equatable, Sendable {
    /// Mirror left-right with probability 1/2.
    public var horizontalFlip: Bool
    /// Pad each side with this many zero pixels, then crop back to the
    /// original size at a uniform random offset (0 = off).
    public var cropPadding: Int
    /// Rotate by a uniform angle in ±maxRotationDegrees (0 = off).
    public var maxRotationDegrees: Float
    /// Zoom by a uniform factor in [1 − maxZoom, 1 + maxZoom] (0 = off).
    public var maxZoom: Float

    public init(horizontalFlip: Bool = false, cropPadding: Int = 0, maxRotationDegrees: Float = 0, maxZoom: Float = 0) {
        self.horizontalFlip = horizontalFlip
        self.cropPadding = cropPadding
        self.maxRotationDegrees = maxRotationDegrees
        self.maxZoom = maxZoom
    }

    /// No augmentation: images pass through unchanged.
    public static let none = Augmentation()

    /// True when nothing is enabled.
    public var isIdentity: Bool { self == .none }

    /// Rejects settings that make no sense (negative padding, zoom ≥ 1, ...).
    func validate() throws {
        guard cropPadding >= 0 else { throw DataError.invalidArgument("crop padding \(cropPadding) is negative") }
        guard maxRotationDegrees >= 0, maxRotationDegrees <= 180 else {
            throw DataError.invalidArgument("max rotation \(maxRotationDegrees)° is outside 0...180")
        }
        guard maxZoom >= 0, maxZoom < 1 else { throw DataError.invalidArgument("max zoom \(maxZoom) is outside 0..<1") }
    }

    /// Augments `image` (`shape.size` floats) in place, drawing parameters
    /// from `rng` in a fixed order: angle, zoom, crop top, crop left, flip.
    /// `scratch` holds at least `shape.size` floats.
    func apply(to image: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<Float>,
               shape: ImageShape, rng: inout SplitMix64) {
        if maxRotationDegrees > 0 || maxZoom > 0 {
            let degrees = maxRotationDegrees > 0 ? rng.nextSymmetric(maxRotationDegrees) : 0
            let zoom = maxZoom > 0 ? 1 + rng.nextSymmetric(maxZoom) : 1
            ImageTransforms.rotateAndZoom(UnsafeBufferPointer(image), into: scratch, shape: shape,
                                          degrees: degrees, zoom: zoom)
            _ = image.update(fromContentsOf: scratch[..<shape.size])
        }
        if cropPadding > 0 {
            let top = rng.nextIndex(below: 2 * cropPadding + 1)
            let left = rng.nextIndex(below: 2 * cropPadding + 1)
            ImageTransforms.crop(UnsafeBufferPointer(image), into: scratch, shape: shape, padding: cropPadding,
                                 top: top, left: left)
            _ = image.update(fromContentsOf: scratch[..<shape.size])
        }
        if horizontalFlip, rng.next() & 1 == 1 {
            ImageTransforms.flipHorizontally(image, shape: shape)
        }
    }
}
