// Streams a completion and a chat completion from a running server through the official OpenAI
// SDK and prints what it assembled as one JSON line: the Java test compares it with the server's
// non-streaming answer to the same greedy requests. It also asks for n = 2 choices with logprobs,
// streamed and not, through both endpoints, and reports what the SDK parsed per choice index.
import OpenAI from "openai";

const baseURL = process.argv[2];
const prompt = process.argv[3];
const model = process.argv[4];
const apiKey = process.argv[5]; // the server requires it: the SDK must send it as a bearer token
const client = new OpenAI({ baseURL, apiKey });

const completion = await client.completions.create({
  model, prompt, max_tokens: 24, temperature: 0, stream: true,
  stream_options: { include_usage: true },
});
let completionText = "";
let usage = null;
for await (const chunk of completion) {
  if (chunk.choices.length > 0) completionText += chunk.choices[0].text;
  if (chunk.usage) usage = chunk.usage;
}

const chat = await client.chat.completions.create({
  model, messages: [{ role: "user", content: prompt }], max_tokens: 16, temperature: 0, stream: true,
});
let chatText = "";
let finishReason = null;
for await (const chunk of chat) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) chatText += choice.delta.content;
  if (choice?.finish_reason) finishReason = choice.finish_reason;
}

// n = 2 with logprobs, not streamed: per choice its text, its logprob tokens and values.
const plainN = await client.completions.create({ model, prompt, max_tokens: 24, temperature: 0, n: 2, logprobs: 2 });
const completionChoices = plainN.choices.map((c) => ({
  index: c.index, text: c.text, finishReason: c.finish_reason,
  tokens: c.logprobs.tokens, tokenLogprobs: c.logprobs.token_logprobs,
  topCounts: c.logprobs.top_logprobs.map((t) => Object.keys(t).length),
}));

// The same, streamed: chunks carry their choice index; text and logprob tokens are assembled per index.
const streamN = await client.completions.create({ model, prompt, max_tokens: 24, temperature: 0, n: 2, logprobs: 2, stream: true });
const streamedCompletion = {};
for await (const chunk of streamN) {
  for (const c of chunk.choices) {
    const s = (streamedCompletion[c.index] ??= { text: "", tokens: [], finishReason: null });
    s.text += c.text;
    if (c.logprobs) s.tokens.push(...c.logprobs.tokens);
    if (c.finish_reason) s.finishReason = c.finish_reason;
  }
}

const messages = [{ role: "user", content: prompt }];
const chatN = await client.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, n: 2, logprobs: true, top_logprobs: 2 });
const chatChoices = chatN.choices.map((c) => ({
  index: c.index, text: c.message.content, finishReason: c.finish_reason,
  tokens: c.logprobs.content.map((e) => e.token),
  bytesText: c.logprobs.content.map((e) => Buffer.from(e.bytes).toString("utf8")).join(""),
  topCounts: c.logprobs.content.map((e) => e.top_logprobs.length),
}));

const chatStreamN = await client.chat.completions.create({
  model, messages, max_tokens: 16, temperature: 0, n: 2, logprobs: true, top_logprobs: 2, stream: true,
});
const streamedChat = {};
for await (const chunk of chatStreamN) {
  for (const c of chunk.choices) {
    const s = (streamedChat[c.index] ??= { text: "", tokens: [], finishReason: null });
    if (c.delta?.content) s.text += c.delta.content;
    if (c.logprobs?.content) s.tokens.push(...c.logprobs.content.map((e) => e.token));
    if (c.finish_reason) s.finishReason = c.finish_reason;
  }
}

console.log(JSON.stringify({
  completionText, usage, chatText, finishReason,
  completionChoices, streamedCompletion, chatChoices, streamedChat, nUsage: plainN.usage,
}));
