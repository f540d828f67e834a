namespace RnnPort.Tests;

public sealed class NumericsTests
{
    [Fact]
    public void CanPinTheManagedProvider()
    {
        _ = Build.Network(1, 1, 1, seed: 0);

        Assert.Contains("Managed", Numerics.ProviderName, StringComparison.Ordinal);
    }
}
