using System.Reflection;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace RnnPort.Tests;

/// <summary>
/// The provider pin. MathNet's default provider, without native packages, is the managed one already,
/// so "the provider is managed after building a model" held whether or not anything was pinned. These
/// tests first install another provider (one that forwards to the managed one, so the numbers of any
/// other test stay the same) and then require the pin to replace it.
/// </summary>
[Collection(ProcessWideProvider.Name)]
public sealed class NumericsTests
{
    [Fact]
    public void BuildingAModelReplacesAnotherProvider()
    {
        using var other = ForwardingProvider.Installed();

        _ = Build.Network(1, 1, 1, seed: 0);

        Assert.IsType<ManagedLinearAlgebraProvider>(LinearAlgebraControl.Provider);
        Assert.Contains("Managed", Numerics.ProviderName, StringComparison.Ordinal);
    }

    [Fact]
    public void UseManagedProviderReplacesAnotherProviderEveryTime()
    {
        Numerics.UseManagedProvider();  // pinned once already: the second call must still look
        using var other = ForwardingProvider.Installed();

        Numerics.UseManagedProvider();

        Assert.IsType<ManagedLinearAlgebraProvider>(LinearAlgebraControl.Provider);
    }

    [Fact]
    public void NegativeControlAnotherProviderIsSeen()
    {
        using var other = ForwardingProvider.Installed();

        // Without a pin in between, the assertions above would fail.
        Assert.IsNotType<ManagedLinearAlgebraProvider>(LinearAlgebraControl.Provider);
        Assert.DoesNotContain("Managed", Numerics.ProviderName, StringComparison.Ordinal);
    }
}

/// <summary>The tests that swap MathNet's process-wide provider run alone, never beside another test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideProvider
{
    public const string Name = "process-wide MathNet provider";
}

/// <summary>
/// A provider that is not MathNet's managed one but computes what it computes, by forwarding every call
/// to it. DispatchProxy derives a class from this one at run time, so it cannot be sealed.
/// </summary>
public class ForwardingProvider : DispatchProxy
{
    internal static IDisposable Installed()
    {
        LinearAlgebraControl.Provider = Create<ILinearAlgebraProvider, ForwardingProvider>();
        return new Restore();
    }

    public override string ToString() => "Forwarding";

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        try
        {
            return targetMethod!.Invoke(ManagedLinearAlgebraProvider.Instance, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => LinearAlgebraControl.UseManaged();
    }
}
