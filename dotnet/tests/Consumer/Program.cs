// A user's program on the RnnPort package. `Consumer guide` runs every snippet of docs/csharp.md in the
// current folder (which holds model.npz, saved by Python); `Consumer check FOLDER` prints the numbers
// package_tests/test_nuget_package.py compares with NumPy.
switch (args)
{
    case ["guide"]:
        Console.WriteLine("== cells");
        Consumer.Guide.Cells.Run();
        Console.WriteLine("== training");
        Consumer.Guide.Training.Run();
        Console.WriteLine("== trainer");
        Consumer.Guide.Trainer.Run();
        Console.WriteLine("== python model");
        Consumer.Guide.PythonModel.Run();
        Console.WriteLine("== kernels");
        Consumer.Guide.Kernels.Run();
        return 0;
    case ["check", string folder]:
        Consumer.Checks.AgainstNumPy.Run(folder);
        return 0;
    default:
        Console.Error.WriteLine("usage: Consumer guide | Consumer check FOLDER");
        return 2;
}
