using System.Text;
using MathNet.Numerics.LinearAlgebra;

namespace RnnPort.Tests;

public sealed class VocabularyTests
{
    [Fact]
    public void CanBuildSortedDistinctVocabulary()
    {
        Vocabulary vocabulary = Vocabulary.Of("hello world");

        Assert.Equal(" dehlorw", vocabulary.Chars);
        Assert.Equal(8, vocabulary.Count);
    }

    [Fact]
    public void CanCountCodePointsNotUtf16Units()
    {
        // U+1D11E is two UTF-16 units (D834 DD1E) but one Python character; it sorts after U+FFFD
        // by code point, although its first unit D834 sorts before FFFD in UTF-16 ordinal order.
        const string text = "b\uFFFDa\U0001D11Eb";

        Vocabulary vocabulary = Vocabulary.Of(text);

        Assert.Equal(4, vocabulary.Count);
        Assert.Equal([new Rune('a'), new Rune('b'), new Rune(0xFFFD), new Rune(0x1D11E)], vocabulary.Runes);
        Assert.Equal([1, 2, 0, 3, 1], vocabulary.Encode(text));
        Assert.Equal(text, vocabulary.Decode(vocabulary.Encode(text)));
    }

    [Fact]
    public void CanMakeOneHotRows()
    {
        Matrix<double> rows = Vocabulary.OneHot([2, 0, 2], 3);

        Build.AssertBitIdentical(Build.Rows([0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]), rows);
    }

    [Fact]
    public void RejectsUnknownCharacter()
    {
        var error = Assert.Throws<ArgumentException>(() => Vocabulary.Of("abc").Encode("abz"));

        Assert.Contains("'z' (U+007A) is not in the vocabulary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsEmptyTextAndLoneSurrogates()
    {
        Assert.Throws<ArgumentException>(() => Vocabulary.Of(""));
        Assert.Throws<ArgumentException>(() => Vocabulary.Of("a\uD834b"));
    }

    [Fact]
    public void RejectsRepeatedCharacters()
    {
        Assert.Throws<ArgumentException>(() => new Vocabulary([new Rune('a'), new Rune('a')]));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void RejectsIndicesOutsideVocabulary(int bad)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Of("abc").Decode([0, bad]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.OneHot([0, bad], 3));
    }
}
