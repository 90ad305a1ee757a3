// swift-tools-version:6.1
// (6.1 for package traits: `swift build --traits MPI` adds data-parallel training over MPI.)
import PackageDescription

let package = Package(
    name: "ConvKit",
    products: [
        .library(name: "CConvKit", targets: ["CConvKit"]),
        .library(name: "ConvKit", targets: ["ConvKit"]),
        .executable(name: "ck-bench", targets: ["ConvBench"]),
        .executable(name: "ck-model-bench", targets: ["ModelBench"]),
        .library(name: "ConvKitData", targets: ["ConvKitData"]),
        .library(name: "ConvKitNN", targets: ["ConvKitNN"]),
        .library(name: "ConvKitTrain", targets: ["ConvKitTrain"]),
        .library(name: "ConvKitDistributed", targets: ["ConvKitDistributed"]),
        .executable(name: "convkit", targets: ["ConvKitCLI"]),
    ],
    traits: [
        .trait(name: "MPI", description: "Data-parallel training across processes and machines over MPI (Open MPI: libopenmpi-dev)."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // The C core: convkit.h, dispatch, reference, CPU and OpenCL backends
        // (the OpenCL kernels of Kernels/ are embedded: opencl/kernels_embedded.c).
        .target(
            name: "CConvKit",
            path: "Sources/CConvKit",
            publicHeadersPath: "include",
            cSettings: [
                .headerSearchPath("."),
                .define("_GNU_SOURCE"),
                .define("CL_TARGET_OPENCL_VERSION", to: "120"),
            ],
            linkerSettings: [
                .linkedLibrary("openblas"),
                .linkedLibrary("OpenCL"),
                .linkedLibrary("pthread"),
                .linkedLibrary("m"),
            ]
        ),
        // A thin Swift module over the C ABI.
        .target(name: "ConvKit", dependencies: ["CConvKit"], path: "Sources/ConvKit"),
        // The op conformance suite, in C so CMake's ctest runs the very same cases.
        .target(
            name: "COpSuite",
            dependencies: ["CConvKit"],
            path: "Tests/COpSuite",
            publicHeadersPath: "include",
            // The split-K rule's header (opencl/cl_split_k.h, plain C), which suite_conv2d_split_k.c checks.
            cSettings: [.headerSearchPath("../../Sources/CConvKit")]
        ),
        // The benchmark suite (Benchmarks/README.md): no library depends on it.
        .executableTarget(name: "ConvBench", dependencies: ["CConvKit"], path: "Benchmarks/ConvBench"),
        // What the Swift test targets share: which backends they must cover (CONVKIT_TEST_BACKENDS).
        .target(name: "ConvKitTestSupport", dependencies: ["ConvKit"], path: "Tests/ConvKitTestSupport"),
        .testTarget(name: "ConvKitTests", dependencies: ["ConvKit", "COpSuite", "ConvKitTestSupport"], path: "Tests/ConvKitTests"),
        // Layers, losses, metrics, optimizers and schedules over ConvKit; checked against PyTorch fixtures.
        // Checkpoints (safetensors) checksum their data with zlib's crc32.
        .target(name: "ConvKitNN", dependencies: ["ConvKit", "CZlib"], path: "Sources/ConvKitNN"),
        .testTarget(name: "ConvKitNNTests", dependencies: ["ConvKitNN", "ConvKit", "ConvKitTestSupport"],
                    path: "Tests/ConvKitNNTests"),
        // A child process for ConvKitNNTests: saves checkpoints in a loop until it is killed.
        .executableTarget(name: "CheckpointWriterChild", dependencies: ["ConvKitNN", "ConvKit"],
                          path: "Tests/CheckpointWriterChild"),
        // Data sets (IDX, CIFAR-10 binary, synthetic), batching, augmentation, progress bar.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "ConvKitData", dependencies: ["CZlib"], path: "Sources/ConvKitData"),
        .testTarget(name: "ConvKitDataTests", dependencies: ["ConvKitData", "CZlib"], path: "Tests/ConvKitDataTests"),
        // Models by name (LeNet-5, ResNets, MobileNet, the Fashion-MNIST CNN), the trainer, its CSV log
        // and its chart (a PNG through libpng).
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .target(name: "ConvKitTrain", dependencies: ["ConvKit", "ConvKitNN", "ConvKitData", "CPNG"], path: "Sources/ConvKitTrain"),
        .testTarget(name: "ConvKitTrainTests", dependencies: ["ConvKitTrain", "ConvKitNN", "ConvKitData", "ConvKit"],
                    path: "Tests/ConvKitTrainTests"),
        // Data-parallel training (mpirun -np N convkit train ...). The C shim always builds; it calls MPI
        // (Open MPI's libmpi, pkg-config ompi-c) only with the MPI trait, so the default build needs no MPI.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(
            name: "CConvKitMPI",
            dependencies: [.target(name: "CMPI", condition: .when(traits: ["MPI"]))],
            path: "Sources/CConvKitMPI",
            cSettings: [.define("CONVKIT_WITH_MPI", .when(traits: ["MPI"]))]
        ),
        .target(name: "ConvKitDistributed", dependencies: ["CConvKit", "CConvKitMPI", "ConvKit", "ConvKitNN", "ConvKitTrain"],
                path: "Sources/ConvKitDistributed"),
        .testTarget(name: "ConvKitDistributedTests",
                    dependencies: ["ConvKitDistributed", "ConvKitTrain", "ConvKitNN", "ConvKitData", "ConvKit"],
                    path: "Tests/ConvKitDistributedTests"),
        // The `convkit` command line tool (module ConvKitCLI, so it never clashes with ConvKit).
        .executableTarget(
            name: "ConvKitCLI",
            dependencies: [
                "CConvKit",
                "ConvKit",
                "ConvKitNN",
                "ConvKitData",
                "ConvKitTrain",
                "ConvKitDistributed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/convkit"
        ),
        // Runs ck-bench (built by `swift build`) and checks its catalog and its JSON.
        .testTarget(name: "BenchmarkTests", path: "Tests/BenchmarkTests"),
        // ck-model-bench: training and inference images/s and peak memory of ConvKitTrain's models.
        .executableTarget(
            name: "ModelBench",
            dependencies: [
                "CConvKit", "ConvKit", "ConvKitNN", "ConvKitTrain",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/ModelBench"
        ),
    ],
    swiftLanguageModes: [.v5],
    cLanguageStandard: .c11
)
