/// Reads a folder in the MNIST layout: four IDX files, gzipped or not,
///
///     train-images-idx3-ubyte[.gz]  [60000, 28, 28] UInt8
///     train-labels-idx1-ubyte[.gz]  [60000] UInt8
///     t10k-images-idx3-ubyte[.gz]   [10000, 28, 28] UInt8
///     t10k-labels-idx1-ubyte[.gz]   [10000] UInt8
///
/// (the counts are MNIST's; any counts and image size work). The spelling
/// `train-images.idx3-ubyte` that some mirrors use is accepted too. Images
/// become `[count, 1, rows, cols]` Floats in [0, 1].
public enum MNISTFolder {
    /// The four files' base names, in the order train images, train labels, test images, test labels.
    static let fileStems = [
        ("train-images", "idx3-ubyte"), ("train-labels", "idx1-ubyte"),
        ("t10k-images", "idx3-ubyte"), ("t10k-labels", "idx1-ubyte"),
    ]

    /// Loads both splits from `directory`. `name` (e.g. "fashion-mnist")
    /// names the data set in messages; `howToGet` finishes the message
    /// thrown when the folder or a file is missing.
    public static func load(directory: String, name: String, classNames: [String], howToGet: String) throws
        -> DatasetSplits
    {
        guard BinaryFile.isDirectory(directory) else {
            throw DataError.missingDataset(message: "\(name) not found: the folder \(directory) does not exist. \(howToGet)")
        }
        var paths: [String] = []
        var missing: [String] = []
        for (stem, kind) in fileStems {
            let candidates = ["\(stem)-\(kind)", "\(stem).\(kind)"].flatMap { [$0, $0 + ".gz"] }
            if let path = BinaryFile.firstExisting(in: directory, names: candidates) {
                paths.append(path)
            } else {
                missing.append("\(stem)-\(kind)[.gz]")
            }
        }
        guard missing.isEmpty else {
            throw DataError.missingDataset(
                message: "\(name) not found: the folder \(directory) lacks \(missing.joined(separator: ", ")). \(howToGet)")
        }
        let train = try split(images: paths[0], labels: paths[1], name: "\(name) train", classNames: classNames)
        let test = try split(images: paths[2], labels: paths[3], name: "\(name) test", classNames: classNames)
        return try DatasetSplits(train: train, test: test)
    }

    /// One split from an images file and a labels file, checked against each other.
    static func split(images imagesPath: String, labels labelsPath: String, name: String, classNames: [String]) throws
        -> Dataset
    {
        let imageFile = try IDXFile(path: imagesPath)
        let pixels = try imageFile.unsignedBytes(rank: 3, of: "an images file")
        let labelFile = try IDXFile(path: labelsPath)
        let labelBytes = try labelFile.unsignedBytes(rank: 1, of: "a labels file")
        let (count, rows, cols) = (imageFile.dimensions[0], imageFile.dimensions[1], imageFile.dimensions[2])
        guard labelBytes.count == count else {
            throw DataError.invalidFile(
                path: labelsPath, reason: "has \(labelBytes.count) labels but \(imagesPath) has \(count) images")
        }
        if let index = labelBytes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DataError.invalidFile(
                path: labelsPath,
                reason: "label \(labelBytes[index]) of sample \(index) is outside 0...\(classNames.count - 1)")
        }
        return try Dataset(
            name: name, images: pixels.withUnsafeBufferPointer(scaledPixels), labels: labelBytes.map(Int32.init),
            channels: 1, height: rows, width: cols, classNames: classNames)
    }
}
