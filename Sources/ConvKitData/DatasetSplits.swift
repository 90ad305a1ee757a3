/// A data set's training and test parts, with images of one shape.
public struct DatasetSplits: Sendable {
    public let train: Dataset
    public let test: Dataset

    public init(train: Dataset, test: Dataset) throws {
        guard train.channels == test.channels, train.height == test.height, train.width == test.width else {
            throw DataError.invalidArgument("\(train.name) images are \(train.channels)×\(train.height)×\(train.width) "
                + "but \(test.name) images are \(test.channels)×\(test.height)×\(test.width)")
        }
        guard train.classNames == test.classNames else {
            throw DataError.invalidArgument("\(train.name) and \(test.name) name their classes differently")
        }
        self.train = train
        self.test = test
    }
}

/// Bytes 0...255 scaled to Floats in [0, 1], in the same order.
func scaledPixels(_ bytes: UnsafeBufferPointer<UInt8>) -> [Float] {
    [Float](unsafeUninitializedCapacity: bytes.count) { floats, initialized in
        for i in 0..<bytes.count {
            floats[i] = Float(bytes[i]) * (1 / 255)
        }
        initialized = bytes.count
    }
}
