using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using RnnPort;

namespace Consumer.Guide;

/// <summary>docs/csharp.md, "Train with BPTT and Adagrad": compiled and run as the guide shows it.</summary>
internal static class Training
{
    internal static void Run()
    {
        // A character model, min-char-rnn style: one-hot characters in, the next character's scores out.
        string text = string.Concat(Enumerable.Repeat("the cat sat on the mat. the dog sat on the log. ", 20));
        Vocabulary vocabulary = Vocabulary.Of(text);  // the distinct characters, sorted
        int[] data = vocabulary.Encode(text);
        int V = vocabulary.Count, H = 32, L = 16;     // vocabulary, state size, chunk length

        var normal = new Normal(0.0, 0.01, new Random(1));
        var model = new RNN(
            Matrix<double>.Build.Random(V, H, normal),
            Matrix<double>.Build.Random(H, H, normal),
            Matrix<double>.Build.Random(H, V, normal),
            hiddenBias: Matrix<double>.Build.Dense(1, H),
            outputBias: Matrix<double>.Build.Dense(1, V));
        IOptimizer optimizer = new Adagrad(learningRate: 0.1);  // or new Sgd(learningRate: 0.1)

        Matrix<double> state = model.InitialState;
        var losses = new List<double>();
        for (int step = 0, p = 0; step < 400; step++, p += L)
        {
            if (p + L + 1 > data.Length)
            {
                p = 0;                        // back to the start of the text, with a fresh state
                state = model.InitialState;
            }

            int[] inputs = data[p..(p + L)], targets = data[(p + 1)..(p + L + 1)];
            BpttResult result = Bptt.Run(model, Vocabulary.OneHot(inputs, V), targets, state);
            Bptt.ClipElementwise(result.Gradients, 5.0);  // every gradient element into [−5, 5]
            optimizer.Step(model, result.Gradients);
            state = result.FinalState;  // truncated BPTT: the state crosses chunks, no gradient does
            losses.Add(result.Loss);
        }

        Console.WriteLine($"loss per chunk: {losses.Take(20).Average():F3} over the first 20 steps, {losses.TakeLast(20).Average():F3} over the last 20");
        ModelFile.Save("guide-model.npz", model, vocabulary);  // python -m rnnport sample guide-model.npz reads it
    }
}
