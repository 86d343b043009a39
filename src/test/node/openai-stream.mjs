// Streams a completion and a chat completion from a running server through the official OpenAI
// SDK and prints what it assembled as one JSON line: the Java test compares it with the server's
// non-streaming answer to the same greedy requests.
import OpenAI from "openai";

const baseURL = process.argv[2];
const prompt = process.argv[3];
const client = new OpenAI({ baseURL, apiKey: "unused" });

const completion = await client.completions.create({
  model: process.argv[4], prompt, max_tokens: 24, temperature: 0, stream: true,
  stream_options: { include_usage: true },
});
let completionText = "";
let usage = null;
for await (const chunk of completion) {
  if (chunk.choices.length > 0) completionText += chunk.choices[0].text;
  if (chunk.usage) usage = chunk.usage;
}

const chat = await client.chat.completions.create({
  model: process.argv[4], messages: [{ role: "user", content: prompt }], max_tokens: 16, temperature: 0, stream: true,
});
let chatText = "";
let finishReason = null;
for await (const chunk of chat) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) chatText += choice.delta.content;
  if (choice?.finish_reason) finishReason = choice.finish_reason;
}
console.log(JSON.stringify({ completionText, usage, chatText, finishReason }));
