/// A labelled image data set held in host memory.
///
/// `images` is Float32 in NCHW order, `[count, channels, height, width]`,
/// with pixel values as loaded (the IDX and CIFAR readers scale bytes to
/// [0, 1]); `labels` is `[count]` Int32 in `0..<classNames.count`.
/// Normalization and augmentation happen per batch (see `BatchOptions`), so
/// one Dataset serves training and evaluation alike.
public struct Dataset: Sendable {
    /// What the data is, e.g. "fashion-mnist train".
    public let name: String
    /// `[count, channels, height, width]`, row-major.
    public let images: [Float]
    /// `[count]`, each in `0..<classNames.count`.
    public let labels: [Int32]
    public let channels: Int
    public let height: Int
    public let width: Int
    /// One name per class, index = label.
    public let classNames: [String]

    /// Checks that `images` holds `labels.count` images of
    /// `channels × height × width` and that every label names a class.
    public init(name: String, images: [Float], labels: [Int32], channels: Int, height: Int, width: Int,
                classNames: [String]) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DataError.invalidArgument("\(name): image shape \(channels)×\(height)×\(width) has a zero or negative size")
        }
        guard !classNames.isEmpty else { throw DataError.invalidArgument("\(name): no class names") }
        let (plane, planeOverflow) = height.multipliedReportingOverflow(by: width)
        let (image, imageOverflow) = plane.multipliedReportingOverflow(by: channels)
        let (size, sizeOverflow) = labels.count.multipliedReportingOverflow(by: image)
        guard !planeOverflow, !imageOverflow, !sizeOverflow, images.count == size else {
            throw DataError.invalidArgument("\(name): \(images.count) floats do not make \(labels.count) images of "
                + "\(channels)×\(height)×\(width)")
        }
        if let index = labels.firstIndex(where: { $0 < 0 || Int($0) >= classNames.count }) {
            throw DataError.invalidArgument("\(name): label \(labels[index]) of sample \(index) is outside 0..<\(classNames.count)")
        }
        self.name = name
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
    }

    /// Number of samples (N).
    public var count: Int { labels.count }
    /// Floats per image: channels × height × width.
    public var imageSize: Int { channels * height * width }
    /// Number of classes.
    public var classCount: Int { classNames.count }

    /// How many samples each class has, index = label.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Mean and (population) standard deviation of each channel over every
    /// pixel of every image, accumulated in Double.
    public func channelStatistics() -> ChannelStatistics {
        let plane = height * width
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        images.withUnsafeBufferPointer { pixels in
            for sample in 0..<count {
                for channel in 0..<channels {
                    let start = (sample * channels + channel) * plane
                    var sum = 0.0, square = 0.0
                    for index in start..<(start + plane) {
                        let v = Double(pixels[index])
                        sum += v
                        square += v * v
                    }
                    sums[channel] += sum
                    squares[channel] += square
                }
            }
        }
        let n = Double(max(count * plane, 1))
        let means = sums.map { $0 / n }
        let deviations = zip(squares, means).map { square, mean in max(square / n - mean * mean, 0).squareRoot() }
        return ChannelStatistics(mean: means.map(Float.init), std: deviations.map(Float.init))
    }
}

/// Per-channel mean and standard deviation, `[channels]` each; normalizing
/// maps x to (x − mean[c]) / std[c].
public struct ChannelStatistics: Equatable, Sendable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Checks that there is one mean and one positive std per channel.
    func validate(channels: Int) throws {
        guard mean.count == channels, std.count == channels else {
            throw DataError.invalidArgument("normalization has \(mean.count) means and \(std.count) stds "
                + "for images of \(channels) channel(s)")
        }
        if let bad = std.first(where: { !($0 > 0) || !$0.isFinite }) {
            throw DataError.invalidArgument("normalization std \(bad) is not a positive number")
        }
    }

    /// Normalizes `images`, `[n, channels, plane]` with plane = height × width, in place.
    func normalize(_ images: UnsafeMutableBufferPointer<Float>, channels: Int, plane: Int) {
        for (planeIndex, start) in stride(from: 0, to: images.count, by: plane).enumerated() {
            let channel = planeIndex % channels
            let m = mean[channel], scale = 1 / std[channel]
            for index in start..<(start + plane) {
                images[index] = (images[index] - m) * scale
            }
        }
    }
}
