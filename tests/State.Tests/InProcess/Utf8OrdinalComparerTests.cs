using System.Text;
using MobZ.State.InProcess;

namespace MobZ.State.Tests.InProcess;

public sealed class Utf8OrdinalComparerTests
{
    [Theory]
    [InlineData("a", "b")]
    [InlineData("", "a")]
    [InlineData("a", "aa")]
    [InlineData("B", "a")]
    [InlineData("z", "é")]
    [InlineData("\uFF21", "\U0001F3A5")]
    [InlineData("\uE000", "\U00010000")]
    [InlineData("ab\uFFFF\uFFFF", "ab\U0001F3A5")]
    public void Orders_as_the_utf8_bytes_do(string smaller, string larger)
    {
        Assert.True(Utf8OrdinalComparer.Instance.Compare(smaller, larger) < 0);
        Assert.True(Utf8OrdinalComparer.Instance.Compare(larger, smaller) > 0);
        Assert.Equal(0, Utf8OrdinalComparer.Instance.Compare(smaller, new string(smaller.AsSpan())));
    }

    [Fact]
    public void Agrees_with_a_byte_comparison_on_random_strings()
    {
        var random = new Random(1234);
        string Next()
        {
            var builder = new StringBuilder();
            var length = random.Next(0, 6);
            for (var i = 0; i < length; i++)
            {
                // Mix ASCII, BMP above the surrogates, and supplementary planes: where UTF-16 order differs.
                var pick = random.Next(3);
                var codePoint = pick switch
                {
                    0 => random.Next(0x20, 0x80),
                    1 => random.Next(0xE000, 0x10000),
                    _ => random.Next(0x10000, 0x10FFFF),
                };
                builder.Append(char.ConvertFromUtf32(codePoint));
            }

            return builder.ToString();
        }

        for (var i = 0; i < 2000; i++)
        {
            var a = Next();
            var b = Next();
            var expected = Math.Sign(Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(b)));
            Assert.Equal(expected, Math.Sign(Utf8OrdinalComparer.Instance.Compare(a, b)));
        }
    }
}
