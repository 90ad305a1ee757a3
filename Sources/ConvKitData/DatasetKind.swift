/// The data sets ConvKit knows by name, where each is found by default, and
/// what to tell a user whose machine lacks one.
public enum DatasetKind: String, CaseIterable, Sendable {
    /// Zalando's Fashion-MNIST: 60000 + 10000 grey 28×28 images, 10 classes.
    case fashionMNIST = "fashion-mnist"
    /// LeCun's handwritten digits, same layout as Fashion-MNIST.
    case mnist
    /// CIFAR-10 binary version: 50000 + 10000 colour 32×32 images, 10 classes.
    case cifar10
    /// Seeded random images (`SyntheticDataset` defaults), no files.
    case synthetic

    /// Where the data set is looked for when no folder is given: Debian's
    /// `dataset-fashion-mnist` installs Fashion-MNIST here; the others have
    /// no Debian package.
    public var defaultDirectory: String? {
        self == .fashionMNIST ? "/usr/share/datasets/fashion-mnist" : nil
    }

    public var classNames: [String] {
        switch self {
        case .fashionMNIST:
            return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        case .mnist:
            return (0...9).map(String.init)
        case .cifar10:
            return CIFAR10Folder.classNames
        case .synthetic:
            return SyntheticDataset().classNames
        }
    }

    /// How to get the data set, ending every "not found" message.
    public var howToGet: String {
        switch self {
        case .fashionMNIST:
            return "Install it with `apt-get install dataset-fashion-mnist`, or point --data-dir at a folder holding "
                + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte "
                + "(each may be .gz)."
        case .mnist:
            return "Point --data-dir at a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                + "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be .gz)."
        case .cifar10:
            return "Point --data-dir at a folder holding the CIFAR-10 binary version: data_batch_1.bin … "
                + "data_batch_5.bin and test_batch.bin."
        case .synthetic:
            return ""
        }
    }

    /// Loads the data set from `directory`, or from `defaultDirectory` when
    /// it is nil; the synthetic set ignores the folder.
    public func load(directory: String? = nil) throws -> DatasetSplits {
        switch self {
        case .fashionMNIST, .mnist:
            return try MNISTFolder.load(directory: folder(directory), name: rawValue, classNames: classNames,
                                        howToGet: howToGet)
        case .cifar10:
            return try CIFAR10Folder.load(directory: folder(directory), howToGet: howToGet)
        case .synthetic:
            return try SyntheticDataset().make()
        }
    }

    private func folder(_ directory: String?) throws -> String {
        guard let folder = directory ?? defaultDirectory else {
            throw DataError.missingDataset(message: "\(rawValue) has no default folder. \(howToGet)")
        }
        return folder
    }
}
