import ConvKit

extension Module {
    /// Every submodule below this one with its dotted path, parents before their children, in
    /// registration order: PyTorch's `named_modules()` without the root ("features",
    /// "features.0", …, "layer1.0.conv1").
    public func namedSubmodules() -> [(name: String, module: any Module)] {
        children.flatMap { child in
            [(name: child.name, module: child.module)]
                + child.module.namedSubmodules().map { (name: "\(child.name).\($0.name)", module: $0.module) }
        }
    }

    /// The submodule at a dotted path of ``namedSubmodules()``; ``InspectionError/unknownLayer(_:available:)``
    /// listing every path when there is none.
    public func submodule(named path: String) throws -> any Module {
        let all = namedSubmodules()
        guard let found = all.first(where: { $0.name == path }) else {
            throw InspectionError.unknownLayer(path, available: all.map(\.name))
        }
        return found.module
    }

    /// The module's type as a user reads it ("Conv2D", "BasicBlock").
    public var typeName: String { String(describing: type(of: self)) }

    /// Runs `body` with this module and every descendant in evaluation mode (batch norm uses its
    /// running statistics, dropout is off), then restores the mode the module had.
    public func evaluating<R>(_ body: () throws -> R) rethrows -> R {
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return try body()
    }
}
